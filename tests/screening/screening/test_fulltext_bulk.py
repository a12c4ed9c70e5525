"""Many full texts at once: matched to records by DOI, PMID, PMCID or a pattern in their names,
attached in one audited action, with a report of attached, ambiguous, unmatched and refused files;
ZIPs judged by their directory before anything is inflated; the API answers the same report."""
from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviewapp.models import AuditEvent
from screening.fulltext_match import RecordKeys, match_names, pattern_problem
from screening.models import FullText, Record

PDF = b"%PDF-1.4\n%bulk test\n"
RECORDS = [RecordKeys(1, 1, "10.1000/pip.1", "111"), RecordKeys(2, 2, "10.1000/pip.10", "222"),
           RecordKeys(3, 3, "10.1000/PIP.1"), RecordKeys(4, 4, "10.1002/(SICI)x:y", pmcid="PMC123456",
                                                         ris_id="Smith2004")]


def matched(name: str, pattern: str = "") -> list[int]:
    return match_names([name], RECORDS, pattern)[0].record_ids


@pytest.mark.parametrize("name, ids", [
    ("10.1000_pip.10.pdf", [2]), ("10.1000%2Fpip.10.pdf", [2]), ("papers/10.1000/pip.10.pdf", [2]),
    ("10.1000_pip.10 - Jones 2010.pdf", [2]), ("10.1000_pip.100.pdf", []), ("10.1000_pip.10.2.pdf", []),
    ("PMID_222.pdf", [2]), ("pmid 111 smith.pdf", [1]), ("pmid1111.pdf", []), ("x PMC123456.pdf", [4]),
    ("10.1002_(sici)x_y.pdf", [4]), ("nothing here.pdf", []),
])
def test_names_carry_a_doi_pmid_or_pmcid(name, ids):
    assert matched(name) == ids


def test_a_doi_two_records_share_is_ambiguous_and_so_are_two_files_for_one_record():
    one_doi = match_names(["10.1000_pip.1.pdf"], RECORDS)[0]
    assert one_doi.record_ids == [1, 3] and one_doi.status == "ambiguous"
    both = match_names(["2.pdf", "0002.pdf", "3.pdf"], RECORDS, "{number}.pdf")
    assert [m.status for m in both] == ["ambiguous", "ambiguous", "matched"] and both[0].clash == ["0002.pdf"]


def test_a_pattern_names_the_identifier_and_star_stands_for_anything():
    assert matched("Smith2004-final version.pdf", "{ris_id}-*.pdf") == [4]
    assert matched("record 4.PDF", "record {number}.pdf") == [4]
    assert matched("10.1000_pip.10.pdf", "{number}.pdf") == []  # with a pattern, only the pattern
    assert pattern_problem("{id}.pdf") and pattern_problem("{doi}-{pmid}.pdf") and pattern_problem("x.pdf")
    assert pattern_problem("{doi}.pdf") is None and pattern_problem("") is None


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def upload(name: str, content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture
def numbered(records_to_screen):
    """Records #1..#10 (DOIs 10.1000/pip.N); #3 and #4 share a DOI; #5 has PMID 5555555."""
    records = {item.record.number: item.record for item in records_to_screen}
    Record.objects.filter(pk=records[4].pk).update(doi="10.1000/pip.3")
    Record.objects.filter(pk=records[5].pk).update(pmid="5555555")
    return records


def test_the_page_attaches_what_matches_and_reports_the_rest(client_for, review, screeners, numbered):
    files = [upload("10.1000_pip.1.pdf"), upload("PMID 5555555.pdf"), upload("10.1000_pip.3.pdf"),
             upload("holiday.pdf"), upload("10.1000_pip.2.pdf", b"<html>not a pdf</html>"),
             upload("papers.zip", zip_of({"batch/10.1000_pip.6.pdf": PDF, "__MACOSX/batch/._x.pdf": b"junk",
                                          "batch/readme.txt": b"hello"}))]
    page = client_for(screeners[0]).post(reverse("fulltext_bulk", args=[review.pk]), {"files": files})
    assert page.status_code == 200
    report = page.context["report"]
    assert {(r["file"], r["record"]) for r in report.attached} == {
        ("10.1000_pip.1.pdf", 1), ("PMID 5555555.pdf", 5), ("papers.zip: batch/10.1000_pip.6.pdf", 6)}
    assert report.ambiguous == [{"file": "10.1000_pip.3.pdf", "records": [3, 4], "why": "DOI fits 2 records"}]
    assert {r["file"] for r in report.unmatched} == {"holiday.pdf", "papers.zip: batch/readme.txt"}
    assert [r["file"] for r in report.refused] == ["10.1000_pip.2.pdf"]
    assert "not a PDF" in report.refused[0]["why"]
    attached = FullText.objects.filter(record__review=review)
    assert {f.record.number for f in attached} == {1, 5, 6}
    assert attached.get(record=numbered[6]).original_name == "10.1000_pip.6.pdf"
    assert not FullText.objects.filter(record__in=[numbered[3], numbered[4], numbered[2]]).exists()
    event = AuditEvent.objects.get(object_label__contains="uploaded together")
    assert event.object_label.endswith("#1, #5, #6") and event.actor == screeners[0]
    html = page.content.decode()
    assert "3</strong> attached" in html and "#3, #4" in html and "holiday.pdf" in html


def test_a_record_that_has_a_full_text_keeps_it_unless_the_uploader_replaces_it(client_for, review, screeners,
                                                                             numbered):
    client = client_for(screeners[0])
    url = reverse("fulltext_bulk", args=[review.pk])
    client.post(url, {"files": [upload("10.1000_pip.1.pdf")]})
    again = client.post(url, {"files": [upload("10.1000_pip.1 (v2).pdf", PDF + b"v2")]}).context["report"]
    assert again.attached == [] and "already has a full text (10.1000_pip.1.pdf)" in again.refused[0]["why"]
    replaced = client.post(url, {"files": [upload("10.1000_pip.1 (v2).pdf", PDF + b"v2")], "replace": "on"})
    assert replaced.context["report"].attached[0]["replaced"] is True
    assert FullText.objects.get(record=numbered[1]).original_name == "10.1000_pip.1 (v2).pdf"


def test_a_pattern_matches_by_record_number(client_for, review, screeners, numbered):
    page = client_for(screeners[0]).post(reverse("fulltext_bulk", args=[review.pk]),
                                         {"files": [upload("7.pdf"), upload("rec-8.pdf")], "pattern": "{number}.pdf"})
    report = page.context["report"]
    assert [r["record"] for r in report.attached] == [7] and report.unmatched == [{"file": "rec-8.pdf"}]
    bad = client_for(screeners[0]).post(reverse("fulltext_bulk", args=[review.pk]),
                                        {"files": [upload("7.pdf")], "pattern": "{id}.pdf"})
    assert bad.context["report"] is None and "{id} is not a placeholder" in bad.content.decode()


def test_zips_beyond_the_limits_are_refused_whole_before_inflating(client_for, review, screeners, numbered, settings):
    url, client = reverse("fulltext_bulk", args=[review.pk]), client_for(screeners[0])
    bomb = zip_of({"10.1000_pip.1.pdf": PDF, "10.1000_pip.2.pdf": PDF + b"\0" * (40 * 1024 * 1024)})
    refused = client.post(url, {"files": [upload("bomb.zip", bomb)]})
    assert refused.context["report"] is None and "decompression bomb" in refused.content.decode()
    settings.MAX_FULLTEXT_BULK_FILES = 2
    many = client.post(url, {"files": [upload("many.zip", zip_of({f"10.1000_pip.{n}.pdf": PDF for n in (1, 2, 6)}))]})
    assert "holds 3 files; at most 2" in many.content.decode()
    settings.MAX_FULLTEXT_BULK_FILES, settings.MAX_FULLTEXT_MB = 500, 1
    big = client.post(url, {"files": [upload("big.zip", zip_of({"10.1000_pip.1.pdf": PDF + b"\0" * 2 * 1024 * 1024}))]})
    assert "unpacks to 2.0 MB; each file may be at most 1 MB (MAX_FULLTEXT_MB)" in big.content.decode()
    assert not FullText.objects.filter(record__review=review).exists()


def test_an_upload_over_the_total_is_refused_at_the_door(client_for, review, screeners, numbered, settings):
    settings.MAX_FULLTEXT_BULK_MB = 1
    response = client_for(screeners[0]).post(reverse("fulltext_bulk", args=[review.pk]),
                                             {"files": [upload("10.1000_pip.1.pdf", PDF + b"x" * 3 * 1024 * 1024)]})
    assert response.status_code == 413 and "MAX_FULLTEXT_BULK_MB" in response.content.decode()
    assert not FullText.objects.exists()


def test_viewers_may_not_upload(client_for, review, people, numbered):
    url = reverse("fulltext_bulk", args=[review.pk])
    assert client_for(people["viewer"]).get(url).status_code == 403
    assert client_for(people["viewer"]).post(url, {"files": [upload("10.1000_pip.1.pdf")]}).status_code == 403
    assert not FullText.objects.exists()


def test_the_api_twin_answers_the_same_report(client_for, review, screeners, people, numbered):
    url = reverse("api_fulltexts_bulk", args=[review.pk])
    answer = client_for(screeners[0]).post(url, {"files": [upload("10.1000_pip.1.pdf"), upload("10.1000_pip.3.pdf"),
                                                           upload("x.pdf")]})
    assert answer.status_code == 200
    assert answer.json() == {
        "attached": [{"file": "10.1000_pip.1.pdf", "record": 1, "record_id": numbered[1].pk, "how": "DOI",
                      "replaced": False}],
        "ambiguous": [{"file": "10.1000_pip.3.pdf", "records": [3, 4], "why": "DOI fits 2 records"}],
        "unmatched": [{"file": "x.pdf"}], "refused": []}
    unknown = client_for(screeners[0]).post(url, {"files": [upload("10.1000_pip.2.pdf")], "overwrite": "1"})
    assert unknown.status_code == 400 and "overwrite" in str(unknown.json())
    assert client_for(people["viewer"]).post(url, {"files": [upload("10.1000_pip.2.pdf")]}).status_code == 403
    assert not FullText.objects.filter(record=numbered[2]).exists()
