"""A client script's proof: one review carried from protocol to archive through the API alone, as a
script holding personal tokens would (Django's test client with Authorization headers; no session,
no page URL, no ORM writes; the ORM only reads for the last assertions)."""
from __future__ import annotations

import io

import pytest

from reviewapp import services as review_services
from tests.screening.helpers import record, ris

pytestmark = pytest.mark.django_db

API = "/api/v1"


class Client:
    """What a client script holds: a base URL and one person's token."""

    def __init__(self, http, token: str):
        self.http, self.headers = http, {"HTTP_AUTHORIZATION": f"Token {token}"}

    def call(self, method: str, path: str, data=None, expect: int = 200):
        path = path.removeprefix("http://testserver")  # the absolute URLs the API hands out
        url = path if path.startswith("/") else f"{API}/{path}"
        if method == "get":
            response = self.http.get(url, data or {}, **self.headers)
        elif isinstance(data, dict) and any(hasattr(v, "read") for v in data.values()):
            response = self.http.post(url, data, **self.headers)  # multipart upload
        else:
            response = getattr(self.http, method)(url, data or {}, content_type="application/json", **self.headers)
        assert response.status_code == expect, (method, url, response.status_code, response.content[:500])
        return response

    def get(self, path, query=None, expect=200):
        return self.call("get", path, query, expect).json()

    def post(self, path, data=None, expect=200):
        response = self.call("post", path, data, expect)
        return response.json() if response.content else None

    def patch(self, path, data, expect=200):
        return self.call("patch", path, data, expect).json()


def upload(name: str, content: bytes) -> io.BytesIO:
    handle = io.BytesIO(content)
    handle.name = name
    return handle


@pytest.fixture
def clients(client, make_user):
    """Each person's token, made once on their settings page (the one step outside the API)."""
    tokens = {}
    for name in ("lead", "ana", "ben", "eve", "fay", "importer"):
        user = make_user(name)
        _, tokens[name] = review_services.api_token_create(user=user, name="script", scope="read-write")
    return {name: Client(client, key) for name, key in tokens.items()}


def review_through_screening(c, run_on_commit) -> dict:
    lead = c["lead"]
    review = lead.post("reviews/", {
        "title": "Parent-infant psychotherapy for maternal depression",
        "question": "Does parent-infant psychotherapy reduce maternal depression?",
        "population": "Mothers with depression and their infants", "intervention": "Parent-infant psychotherapy",
        "intervention_name": "PIP", "comparator": "Usual care", "comparator_name": "Usual care",
        "outcomes_summary": "Maternal depression", "study_designs": "Randomised controlled trials",
    }, expect=201)
    rid = review["id"]
    base = f"reviews/{rid}/"
    assert review["roles"] == ["lead"]

    for name, roles in (("ana", ["reviewer"]), ("ben", ["reviewer", "extractor"]), ("eve", ["extractor"])):
        invited = lead.post(base + "members/", {"identifier": name, "roles": roles}, expect=202)
        mine = c[name].get("me/invitations/")["results"]
        assert [i["id"] for i in mine] == [invited["id"]]
        c[name].post(f"me/invitations/{invited['id']}/accept/")
    members = lead.get(base + "members/")["results"]
    assert {m["username"]: m["roles"] for m in members} == {
        "lead": ["lead"], "ana": ["reviewer"], "ben": ["reviewer", "extractor"], "eve": ["extractor"]}

    search = lead.post(base + "searches/", {"database": "Scopus", "date_run": "2024-03-01",
                                            "query": "parent* AND infant* AND psychotherap*"}, expect=201)
    # Ten records, the tenth a copy of the first with its title in capitals: a duplicate to settle.
    export = ris(*(record(n) for n in range(1, 10)),
                 record(1, title=record(1)["title"].upper(), doi=""))
    with run_on_commit(execute=True):  # the import job, run here as the worker would
        started = lead.post(base + f"searches/{search['id']}/files/", {"file": upload("scopus.ris", export)},
                            expect=202)
    progress = lead.get(started["progress_url"])
    assert progress["finished"] is True and progress["records_imported"] == 10
    return {"id": rid, "base": base, "search": search["id"], "file": started["id"]}



def screen(person: Client, base: str, stage: str, choose) -> list[dict]:
    """Take records from `next` until none is left, deciding each with choose(record number)."""
    seen = []
    while (item := person.get(base + f"screening/{stage}/next/")["item"]) is not None:
        value, reason = choose(item["record"]["number"])
        # Blind: nothing of the other reviewer's decision shows before one's own.
        assert [d["reviewer"] for d in item["decisions"]] == []
        person.post(base + "screening/decisions/", {"item": item["id"], "value": value, "reason": reason}, expect=201)
        seen.append(item)
    return seen


def test_a_client_script_runs_a_whole_review(clients, django_capture_on_commit_callbacks):
    c = clients
    ids = review_through_screening(c, django_capture_on_commit_callbacks)
    lead, base = c["lead"], ids["base"]

    # Dedup: the capitalised copy was merged as sure; the lead keeps a look-alike pair apart.
    pairs = lead.get(base + "duplicates/")["results"]
    assert sorted(p["status"] for p in pairs) == ["merged", "possible"]
    possible = next(p for p in pairs if p["status"] == "possible")
    assert lead.post(base + f"duplicates/{possible['id']}/decision/", {"action": "keep_apart"})["status"] == (
        "kept_apart")

    # Title and abstract, two reviewers blind: both include 1-4, both exclude 5-9, they differ on 4.
    settings = lead.get(base + "screening/settings/")
    assert settings["reviewers_per_record"] == 2 and settings["blind"] is True
    assert len(screen(c["ana"], base, "ta", lambda n: ("include" if n <= 4 else "exclude", ""))) == 9
    assert len(screen(c["ben"], base, "ta", lambda n: ("include" if n <= 3 else "exclude", ""))) == 9
    conflicts = lead.get(base + "screening/conflicts/")["results"]
    assert [x["record"]["number"] for x in conflicts] == [4]
    lead.post(base + f"screening/conflicts/{conflicts[0]['id']}/resolve/", {"value": "include"})
    assert lead.get(base + "screening/conflicts/")["count"] == 0

    # Full text: 1-3 included by both, 4 excluded by both with one of the review's reasons.
    reason = settings["exclusion_reasons"][0]
    for name in ("ana", "ben"):
        assert len(screen(c[name], base, "ft", lambda n: ("include", "") if n <= 3 else ("exclude", reason))) == 4
    studies = lead.get(base + "studies/")["results"]
    assert len(studies) == 3
    prisma = lead.get(base + "prisma/")
    assert (prisma["identified_databases"], prisma["duplicates_removed"], prisma["records_screened"],
            prisma["records_excluded"], prisma["main"]["excluded_by_reason"], prisma["studies_included"]) == (
        10, 1, 9, 5, {reason: 1}, 3)
