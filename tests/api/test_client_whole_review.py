"""A client script's proof: one review carried from protocol to archive through the API alone, as a
script holding personal tokens would (Django's test client with Authorization headers; no session,
no page URL, no ORM writes; the ORM only reads for the last assertions)."""
from __future__ import annotations

import io

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.models import Review
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

    def put(self, path, data, expect=200):
        return self.call("put", path, data, expect).json()

    def download(self, path) -> bytes:
        response = self.call("get", path)
        return b"".join(response.streaming_content) if response.streaming else response.content


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n% record "


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
    outcome = lead.post(base + "outcomes/", {"name": "Maternal depression", "direction": "lower"}, expect=201)
    assert [(o["name"], o["direction"]) for o in lead.get(base + "outcomes/")] == [("Maternal depression", "lower")]

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
    return {"id": rid, "base": base, "search": search["id"], "file": started["id"], "outcome": outcome["id"]}



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

    # Full texts: a PDF uploaded for each record that reached the stage, and read back.
    for item in lead.get(base + "records/", {"stage": "ft"})["results"]:
        pdf = PDF + str(item["number"]).encode()
        lead.post(base + f"records/{item['id']}/fulltext/", {"file": upload("paper.pdf", pdf)}, expect=201)
        assert lead.download(base + f"records/{item['id']}/fulltext/") == pdf
    ids["record"] = item["id"]
    assert lead.get(base + "records/", {"stage": "ft"})["count"] == 4
    # Full text: 1-3 included by both, 4 excluded by both with one of the review's reasons.
    reason = settings["exclusion_reasons"][0]
    for name in ("ana", "ben"):
        assert len(screen(c[name], base, "ft", lambda n: ("include", "") if n <= 3 else ("exclude", reason))) == 4
    studies = lead.get(base + "studies/")["results"]
    assert len(studies) == 3
    # Every decision made through the API is in the audit trail, by its reviewer (9 + 4 each).
    for name in ("ana", "ben"):
        assert lead.get(base + "audit/", {"object_type": "screening.Decision", "actor": name})["count"] == 13
    prisma = lead.get(base + "prisma/")
    assert (prisma["identified_databases"], prisma["duplicates_removed"], prisma["records_screened"],
            prisma["records_excluded"], prisma["main"]["excluded_by_reason"], prisma["studies_included"]) == (
        10, 1, 9, 5, {reason: 1}, 3)

    extraction_by_two_and_consensus(c, base, [s["id"] for s in studies])
    analysis_defined_and_run(c, ids, django_capture_on_commit_callbacks)
    downloads_with_a_token(c, ids)
    archive_round_trip(c, ids, django_capture_on_commit_callbacks)


def extraction_by_two_and_consensus(c, base: str, study_ids: list[int]) -> None:
    """The lead builds and publishes a form; Eve and Ben extract each study; they differ once, on
    one study's funder, and the lead settles it and finalises every extraction."""
    lead = c["lead"]
    form = lead.post(base + "extraction/forms/", {"name": "Study details"}, expect=201)
    forms = base + f"extraction/forms/{form['id']}/"
    section = lead.post(forms + "sections/", {"title": "Study"}, expect=201)["draft"]["sections"][0]["key"]
    funder = lead.post(forms + f"sections/{section}/fields/",
                       {"label": "Funder", "type": "single", "choices": ["Industry", "Public"], "required": True},
                       expect=201)
    keys = [f["key"] for s in funder["draft"]["sections"] for f in s["fields"]]
    sample = lead.post(forms + f"sections/{section}/fields/", {"label": "Mothers randomised", "type": "integer"},
                       expect=201)
    design = lead.post(forms + f"sections/{section}/fields/", {"label": "Design", "type": "single",
                                                               "choices": ["RCT", "Cluster RCT", "Cohort"]}, expect=201)
    lead.post(forms + "sections/", {"outcome_data": True}, expect=201)
    key_funder, key_n = keys[0], next(f["key"] for s in sample["draft"]["sections"] for f in s["fields"]
                                      if f["key"] not in keys)
    key_design = design["draft"]["sections"][0]["fields"][-1]["key"]
    assert lead.post(forms + "versions/", {"note": "First"}, expect=201)["number"] == 1
    schema = lead.get(forms + "versions/1/answers-schema/")
    assert schema["properties"][key_funder]["anyOf"][0]["enum"] == ["Industry", "Public"]

    for number, study in enumerate(study_ids):
        answers = {key_funder: "Public", key_n: 40 + number, key_design: "Cohort" if number == 2 else "RCT",
                   "outcome_data": [outcome_row(number)]}
        for name in ("eve", "ben"):
            differing = {key_funder: "Industry"} if name == "ben" and number == 0 else {}
            saved = c[name].put(forms + f"studies/{study}/entry/", {"answers": {**answers, **differing},
                                                                    "done": True})
            assert saved["done"] is True
    extractions = lead.get(base + "extractions/")["results"]
    assert len(extractions) == 3
    for extraction in extractions:
        url = base + f"extractions/{extraction['id']}/"
        differences = lead.get(url + "differences/")
        for row in (r for r in differences["rows"] if r["differs"]):
            assert row["path"] == key_funder
            lead.post(url + "settlements/", {"path": row["path"], "choice": "a", "note": "checked the paper"})
        final = lead.post(url + "finalise/")
        assert final["status"] == "done" and final["consensus"][key_funder] == "Public"

    # Study design, explicit: the lead maps the form's answers to designs, and sets one study's own.
    mapping = lead.put(base + "extraction/design-mapping/", {"field_key": key_design, "values": {
        "RCT": "Randomised controlled trial", "Cluster RCT": "Randomised controlled trial"}})
    assert mapping["stored"] is True and mapping["field_key"] == key_design
    assert lead.patch(base + f"studies/{study_ids[2]}/", {"design": "Non-randomised controlled study"})[
        "design"] == "Non-randomised controlled study"


def outcome_row(number: int) -> dict:
    """EPDS after treatment: fewer points in the intervention arm, by a different margin per study."""
    return {"outcome": "Maternal depression", "instrument": "EPDS", "higher_is_better": "No", "timepoint": "post",
            "data_type": "Means (two groups)", "i_n": 40 + number, "i_mean": 8.0 + number, "i_sd": 4.0,
            "c_n": 40 + number, "c_mean": 10.5, "c_sd": 4.5}


def analysis_defined_and_run(c, ids: dict, run_on_commit) -> None:
    """The lead defines the analysis of the outcome and runs it; the run pools the three studies."""
    lead, base = c["lead"], ids["base"]
    analysis = lead.post(base + "analyses/", {"outcome": ids["outcome"]}, expect=201)
    with run_on_commit(execute=True):  # the run job, run here as the worker would
        started = lead.post(base + f"analyses/{analysis['id']}/runs/", expect=202)
    run = lead.get(started["url"])
    assert run["status"] == "done", run
    assert run["results"]["k"] == 3 and run["results"]["b"] < 0  # lower is better: favours the intervention
    ids.update(analysis=analysis["id"], run=run["id"])


# Every download this review has something behind, by its route's name and arguments after the review.
DOWNLOADS = {
    "audit_export": lambda ids: [],
    "search_file_download": lambda ids: [ids["file"]],
    "record_export_ris": lambda ids: [],
    "record_export_csv": lambda ids: [],
    "prisma_svg": lambda ids: [],
    "prisma_png": lambda ids: [],
    "prisma_pdf": lambda ids: [],
    "prisma_csv": lambda ids: [],
    "prisma2020_csv": lambda ids: [],
    "prisma_checklist_csv": lambda ids: [],
    "search_appendix_md": lambda ids: [],
    "search_appendix_csv": lambda ids: [],
    "extraction_export": lambda ids: ["wide", "csv"],
    "extraction_characteristics_download": lambda ids: ["csv"],
    "revman_download": lambda ids: [],
    "r_download": lambda ids: [],
    "fulltext": lambda ids: [ids["record"]],
    "sof_download": lambda ids: ["csv"],
    "analysis_run_zip": lambda ids: [ids["run"]],
    "analysis_run_plot": lambda ids: [ids["run"], "forest", "svg"],
}


def downloads_with_a_token(c, ids: dict) -> None:
    """Each download answers the lead's token with its file (never the sign-in page)."""
    files = {name: c["lead"].download(reverse(name, args=[ids["id"], *args(ids)]))
             for name, args in DOWNLOADS.items()}
    assert all(files.values())
    assert files["record_export_ris"].count(b"ER  -") == 9  # the merged copy is one record
    assert files["prisma_svg"].lstrip().startswith((b"<svg", b"<?xml"))
    assert files["prisma_pdf"].startswith(b"%PDF") and files["prisma_png"].startswith(b"\x89PNG")
    assert b"Public" in files["extraction_export"]


def archive_round_trip(c, ids: dict, run_on_commit) -> None:
    """The lead writes the archive; someone else imports it and gets a review with the same counts."""
    lead = c["lead"]
    with run_on_commit(execute=True):  # the archive job, run here as the worker would
        started = lead.post(ids["base"] + "archives/", expect=202)
    state = lead.get(started["url"])
    assert state["status"] == "done"
    upload_zip = upload("review.zip", lead.download(state["file_url"]))
    with run_on_commit(execute=True):  # the import job, run here as the worker would
        job = c["importer"].post("reviews/import/", {"file": upload_zip}, expect=202)
    job = c["importer"].get(job["url"])
    assert job["status"] == "done"
    copy = c["importer"].get(job["review_url"])
    assert "lead" in copy["roles"] and copy["title"] == lead.get(ids["base"])["title"]
    original, imported = Review.objects.get(pk=ids["id"]), Review.objects.get(pk=copy["id"])
    for count in (lambda r: r.records.count(), lambda r: r.studies.count(), lambda r: r.duplicate_pairs.count()):
        assert count(imported) == count(original)
    # What the importer's own token reads back through the API matches too.
    theirs = f"reviews/{copy['id']}/"
    assert c["importer"].get(theirs + "prisma/") == lead.get(ids["base"] + "prisma/")
