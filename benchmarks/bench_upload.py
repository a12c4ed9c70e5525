"""How long the upload page takes to answer, and how the import then progresses, on a running site.

Builds a 3,000-record RIS file the way bench_import.py does (`_baseline.ris` repeated 30
times, each copy with new title words, its own DOI, PMID and first page: about 8 MB), signs
in, posts it to a search's upload form as a browser would, and times the answer (the
redirect to the import report). Then it polls the report's progress.json, as the page does,
and prints each change until the import is done. Start the site first (`make run PORT=8123`
loads the demo review), then, from the repository root:

    .venv/bin/python benchmarks/bench_upload.py --base http://127.0.0.1:8123 [--search /reviews/1/searches/1/]
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import re
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import build


class Site:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.read().decode()

    def post(self, path: str, body: bytes, content_type: str) -> str:
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": content_type, "Referer": self.base + path})
        with self.opener.open(request, timeout=120) as response:
            response.read()
            return urllib.parse.urlparse(response.url).path

    def token(self, path: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(path)).group(1)


def multipart(fields: dict[str, str], name: str, filename: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--search", default="/reviews/1/searches/1/", help="the search page that holds the upload form")
    parser.add_argument("--user", default="lead")
    parser.add_argument("--password", default="demo-review-2021")
    parser.add_argument("--repeat", type=int, default=30, help="copies of the 100-record baseline")
    args = parser.parse_args()

    path = Path(tempfile.mkdtemp()) / "search.ris"
    count = build(path, args.repeat)
    data = path.read_bytes()
    site = Site(args.base)
    login = "/accounts/login/"
    fields = {"csrfmiddlewaretoken": site.token(login), "username": args.user, "password": args.password}
    site.post(login, urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")
    body, content_type = multipart({"csrfmiddlewaretoken": site.token(args.search), "format": ""},
                                   "file", "search.ris", data)
    started = time.perf_counter()
    report = site.post(args.search, body, content_type)
    answered = time.perf_counter() - started
    print(f"{count} records, {len(data) / 1e6:.1f} MB: the upload answered in {answered:.3f} s ({report})")
    last = None
    while True:
        progress = json.loads(site.get(report + "progress.json"))
        state = (progress["status"], progress["records_read"], progress["percent"])
        if state != last:
            print(f"  {time.perf_counter() - started:6.2f} s  {state[0]:8} {state[1]:>6} records read  {state[2]:>3} %")
            last = state
        if progress["finished"]:
            break
        time.sleep(0.1)
    print(json.dumps({"upload_s": round(answered, 3), "import_done_s": round(time.perf_counter() - started, 2),
                      **{k: progress[k] for k in ("status", "records_imported", "duplicates_possible", "error")}}))


if __name__ == "__main__":
    main()
