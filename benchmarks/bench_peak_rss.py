"""Peak memory of one request and one job for the largest file of each kind the site accepts: a
search export as RIS and as XLSX (MAX_UPLOAD_MB, and for XLSX the unpacked limit), a full-text PDF
(MAX_FULLTEXT_MB) and a review archive (the review those files made, written by the export job
and imported by the import job).

Each step runs in its own process (peak RSS only grows), against one SQLite site in a folder of
its own: the request through Django's WSGI handler with the body streamed from the file on disk
(as a WSGI server hands it over; the tasks it queues are not sent), the job as the worker runs it.
Printed per step: the process's peak RSS before the step (Django and the step's modules loaded;
for a request, after one page was served), its peak after, the growth, and the time. Run from the repository root:

    .venv/bin/python benchmarks/bench_peak_rss.py [--workdir /tmp/peak-rss] [--scale 1.0]

--scale shrinks every file (0.05 for a quick check); sizes are then no longer the limits.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024
BOUNDARY = "peak-rss-boundary"
WORDS = ("parent infant psychotherapy trial mothers babies attachment outcome randomised controlled "
         "depression anxiety follow months group therapy usual care intervention sensitivity").split()


# ---------------------------------------------------------------- the files

def _abstract(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def write_ris(path: Path, size: int) -> int:
    """Distinct records (own title words and DOI) with abstracts of about 3 KB, up to ``size`` bytes."""
    rng, count, written = random.Random(27), 0, 0
    with path.open("w", encoding="utf-8") as out:
        while True:
            count += 1
            text = (f"TY  - JOUR\nTI  - {_abstract(rng, 12)} {count}\nAU  - Author{count % 997}, A.\n"
                    f"AU  - Second{count % 89}, B.\nPY  - {1990 + count % 35}\nJO  - Journal {count % 300}\n"
                    f"VL  - {count % 60}\nSP  - {count % 900}\nDO  - 10.5555/peak.{count}\n"
                    f"AB  - {_abstract(rng, 400)}\nER  - \n\n")
            if written + len(text.encode()) > size:
                return count - 1
            out.write(text)
            written += len(text.encode())


def write_xlsx(path: Path, unpacked: int) -> int:
    """A workbook (inline strings, as exporters write) whose sheet unpacks to about ``unpacked`` bytes."""
    rng, rows, written = random.Random(28), 0, 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/></Types>'))
        book.writestr("_rels/.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        book.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Export" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        book.writestr("xl/_rels/workbook.xml.rels", (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            def row(number: int, cells: list[str]) -> bytes:
                return (f'<row r="{number}">' + "".join(f'<c t="inlineStr"><is><t>{c}</t></is></c>' for c in cells)
                        + "</row>").encode()
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                        b'spreadsheetml/2006/main"><sheetData>')
            sheet.write(row(1, ["Title", "Authors", "Year", "Source title", "DOI", "Abstract"]))
            tail = b"</sheetData></worksheet>"
            while True:
                rows += 1
                line = row(rows + 1, [f"{_abstract(rng, 12)} sheet {rows}", f"Author{rows % 991}, A.",
                                      str(1990 + rows % 35), f"Journal {rows % 300}", f"10.5555/sheet.{rows}",
                                      _abstract(rng, 400)])
                if written + len(line) + len(tail) > unpacked:
                    break
                sheet.write(line)
                written += len(line)
            sheet.write(tail)
    return rows - 1


def write_pdf(path: Path, size: int) -> None:
    with path.open("wb") as out:
        out.write(b"%PDF-1.4\n")
        chunk = os.urandom(MB)
        while out.tell() + MB <= size - 16:
            out.write(chunk)
        out.write(b"\n%%EOF\n")


# ---------------------------------------------------------------- one step, in its own process

class FileBody:
    """A multipart body holding the file at ``path``, read from disk as the server reads it."""

    def __init__(self, path: Path, field: str = "file"):
        self.head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{path.name}"\r\n'
                     "Content-Type: application/octet-stream\r\n\r\n").encode()
        self.tail = f"\r\n--{BOUNDARY}--\r\n".encode()
        self.length = len(self.head) + path.stat().st_size + len(self.tail)
        self.handle = path.open("rb")
        self.stage = 0

    def read(self, n: int | None = -1) -> bytes:
        n = MB if n is None or n < 0 else n
        out = b""
        while len(out) < n and self.stage < 3:
            if self.stage == 0:
                out, self.head, self.stage = out + self.head, b"", 1
            elif self.stage == 1:
                got = self.handle.read(n - len(out))
                out += got
                if not got:
                    self.stage = 2
            else:
                out, self.stage = out + self.tail, 3
        return out

    readline = read


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _request(path_info: str, file: Path, extra_fields: str = "") -> str:
    from celery.app.task import Task
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import Client

    Task.delay = lambda self, *a, **k: None  # the job is measured on its own: nothing is sent to a worker
    client = Client()
    client.force_login(get_user_model().objects.get(username="lead"))
    body, token, answers = FileBody(file), "t" * 32, []
    environ = client._base_environ(PATH_INFO=path_info, REQUEST_METHOD="POST")
    environ.update({"CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}", "CONTENT_LENGTH": str(body.length),
                    "wsgi.input": body, "HTTP_X_CSRFTOKEN": token,
                    "HTTP_COOKIE": f"{settings.SESSION_COOKIE_NAME}={client.session.session_key}; "
                                   f"{settings.CSRF_COOKIE_NAME}={token}"})
    response = WSGIHandler()(environ, lambda status, headers: answers.append((status, dict(headers))))
    b"".join(response)
    response.close()
    status, headers = answers[0]
    return f"{status} -> {headers.get('Location', '')}"


def _warm_up() -> None:
    """One page first, so that the figure is the upload's, not the first request's imports and templates."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    client = Client()
    client.force_login(get_user_model().objects.get(username="lead"))
    client.get("/")


def step(name: str, state: dict) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from reviewapp.archive.services import archive_export_build, archive_export_request, archive_import_run
    from reviewapp.models import ArchiveImport, Review
    from screening.models import Record, Search, SearchFile
    from screening.services import search_file_import

    review = Review.objects.get(pk=state["review"]) if "review" in state else None
    if name.endswith("request"):
        _warm_up()
    before, started = _peak_mb(), time.perf_counter()
    if name in ("ris request", "xlsx request"):
        search = Search.objects.get(pk=state["search_" + name.split()[0]])
        answer = _request(reverse("search_detail", args=[review.pk, search.pk]), Path(state[name.split()[0]]))
    elif name in ("ris job", "xlsx job"):
        job = SearchFile.objects.filter(search_id=state["search_" + name.split()[0]]).latest("pk")
        job = search_file_import(search_file_id=job.pk)
        answer = f"{job.status}: {job.records_imported:,} records {job.error[:200]}"
    elif name == "pdf request":
        record = Record.objects.filter(review=review).order_by("pk").first()
        answer = _request(reverse("fulltext", args=[review.pk, record.pk]), Path(state["pdf"]))
    elif name == "archive export job":
        export = archive_export_request(actor=get_user_model().objects.get(username="lead"), review=review)
        export = archive_export_build(export_id=export.pk)
        state["archive"] = export.file.path
        answer = f"{export.status}: {export.size / MB:,.0f} MB, {export.objects_count:,} objects {export.error}"
    elif name == "archive request":
        answer = _request(reverse("review_import"), Path(state["archive"]))
    elif name == "archive job":
        job = archive_import_run(import_id=ArchiveImport.objects.latest("pk").pk)
        answer = f"{job.status}: {job.objects_count:,} objects {job.error[:300]}"
    else:
        raise SystemExit(f"unknown step {name}")
    return {"step": name, "answer": answer, "before_mb": before, "peak_mb": _peak_mb(),
            "seconds": time.perf_counter() - started, "state": state}


# ---------------------------------------------------------------- the run

def _env(workdir: Path) -> dict:
    return {**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "reviewapp.settings.test", "VAR_DIR": str(workdir),
            "DATABASE_URL": f"sqlite:///{workdir / 'site.sqlite3'}", "PYTHONPATH": str(ROOT),
            "OPENBLAS_NUM_THREADS": "1"}


SETUP = """
import django, json, sys, datetime
django.setup()
from django.contrib.auth import get_user_model
from reviewapp import services
from screening import services as screening_services
lead = get_user_model().objects.create_user("lead", password="peak-rss-password-1")
review = services.review_create(creator=lead, title="Peak memory")
state = {"review": review.pk}
for kind, database in (("ris", "Embase"), ("xlsx", "Scopus")):
    state["search_" + kind] = screening_services.search_create(
        actor=lead, review=review, database=database, platform="", date_run=datetime.date(2026, 12, 1), query="q",
        reported_hits=None).pk
print(json.dumps(state))
"""
STEPS = ("ris request", "ris job", "xlsx request", "xlsx job", "pdf request", "archive export job",
         "archive request", "archive job")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", default="/tmp/peak-rss")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--steps", default=",".join(STEPS), help="a comma-separated subset of the steps")
    parser.add_argument("--resume", action="store_true", help="go on in --workdir from the state it saved")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(step(args.step, json.loads(sys.stdin.read()))))
        return
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    env = _env(workdir)
    if args.resume:
        subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
        run_steps(args.steps.split(","), json.loads((workdir / "state.json").read_text()), workdir, env)
        return
    (workdir / "site.sqlite3").unlink(missing_ok=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    state = json.loads(subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, check=True,
                                      capture_output=True, text=True).stdout.strip().splitlines()[-1])
    sys.path.insert(0, str(ROOT))
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings

    from reviewapp.archive.format import max_unpacked_bytes
    from screening.importers.limits import UNPACK_FACTOR

    upload, fulltext = int(settings.MAX_UPLOAD_MB * MB * args.scale), int(settings.MAX_FULLTEXT_MB * MB * args.scale)
    state["ris"], state["xlsx"], state["pdf"] = (str(workdir / n) for n in ("export.ris", "export.xlsx", "text.pdf"))
    records = write_ris(Path(state["ris"]), upload - MB)
    rows = write_xlsx(Path(state["xlsx"]), int(UNPACK_FACTOR * settings.MAX_UPLOAD_MB * MB * args.scale) - MB)
    write_pdf(Path(state["pdf"]), fulltext - MB)
    print(f"RIS {Path(state['ris']).stat().st_size / MB:,.1f} MB ({records:,} records); XLSX "
          f"{Path(state['xlsx']).stat().st_size / MB:,.1f} MB ({rows:,} rows, sheet unpacks to about "
          f"{UNPACK_FACTOR * settings.MAX_UPLOAD_MB * args.scale:,.0f} MB); "
          f"PDF {Path(state['pdf']).stat().st_size / MB:,.1f} MB; "
          f"archive limit {max_unpacked_bytes() / MB:,.0f} MB unpacked")
    run_steps(args.steps.split(","), state, workdir, env)


def run_steps(names: list[str], state: dict, workdir: Path, env: dict) -> None:
    print("| step | answer | peak RSS before | peak RSS after | growth | time |")
    print("|---|---|---:|---:|---:|---:|")
    for name in names:
        done = subprocess.run([sys.executable, __file__, "--step", name], cwd=ROOT, env=env, input=json.dumps(state),
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"| {name} | FAILED: {done.stderr[-1500:]} |")
            break
        result = json.loads(done.stdout.strip().splitlines()[-1])
        state = result["state"]
        (workdir / "state.json").write_text(json.dumps(state))
        print(f"| {name} | {result['answer']} | {result['before_mb']:,.0f} MB | {result['peak_mb']:,.0f} MB | "
              f"+{result['peak_mb'] - result['before_mb']:,.0f} MB | {result['seconds']:.1f} s |", flush=True)


if __name__ == "__main__":
    main()
