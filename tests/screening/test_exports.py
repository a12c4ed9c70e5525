"""Exports: RIS written back verbatim (or generated), CSV with sources; re-importing an export gives
the same records."""
from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from screening.importers import parse
from screening.models import Record
from tests.support import shared_data

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db
FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")


def _download(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def _fields(obj) -> tuple:
    return tuple(tuple(getattr(obj, f) or []) if f == "authors" else (getattr(obj, f) or None) for f in FIELDS)


@pytest.mark.parametrize("filename", ["_baseline_scopus.ris", "_baseline_pubmed.ris"])
def test_ris_export_reimports_to_the_same_records(client_for, review, people, filename):
    path = shared_data("imports", "citation-file-formatting", "Datasets", "RIS", filename)
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], path.read_bytes(), path.name)
    response = client_for(people["viewer"]).get(reverse("record_export_ris", args=[review.pk]) + "?stage=all")
    assert response.status_code == 200 and response.streaming
    exported = parse(_download(response).encode(), "export.ris", format="ris")
    stored = list(Record.objects.filter(review=review).order_by("id"))
    assert [_fields(c) for c in exported] == [_fields(r) for r in stored]


def test_ris_from_a_ris_file_is_written_verbatim(client_for, review, people):
    data = ris(record(1)).replace(b"ER  - ", b"N1  - a note only the original has\nER  - ")
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], data, "a.ris")
    text = _download(client_for(people["lead"]).get(reverse("record_export_ris", args=[review.pk])))
    assert "N1  - a note only the original has" in text


def test_unique_stage_leaves_out_merged_duplicates_and_csv_lists_sources(client_for, review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(record(1), record(2)), "s.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(2), record(3)), "e.ris")
    client = client_for(lead)
    all_rows = list(csv.DictReader(io.StringIO(_download(
        client.get(reverse("record_export_csv", args=[review.pk]) + "?stage=all")).lstrip("\ufeff"))))
    unique_rows = list(csv.DictReader(io.StringIO(_download(
        client.get(reverse("record_export_csv", args=[review.pk]) + "?stage=unique")).lstrip("\ufeff"))))
    assert len(all_rows) == 4 and len(unique_rows) == 3
    two = next(r for r in unique_rows if "number 2 " in r["title"])
    assert two["sources"] == "EMBASE; Scopus"
    assert two["doi"] == "10.1000/pip.2"


def _csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(_download(response).lstrip("\ufeff"))))


def test_export_links_carry_the_filters_of_the_records_page_and_the_export_applies_them(client_for, review, people):
    import html
    import re

    lead = people["lead"]
    scopus = make_search(review, lead, "Scopus")
    import_bytes(scopus, lead, ris(record(1), record(2), record(3, year=1995)), "s.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(2), record(4)), "e.ris")
    client = client_for(people["viewer"])
    # Records found by Scopus from 2001 on: 1 and 2 (2 also found by EMBASE), not 3 (1995) nor 4 (EMBASE).
    query = f"search={scopus.pk}&year_from=2001"
    page = client.get(reverse("record_list", args=[review.pk]) + "?" + query).content.decode()
    links = [html.unescape(h) for h in re.findall(r'href="([^"]*records\.csv[^"]*)"', page)]
    assert links and all(f"search={scopus.pk}" in link and "year_from=2001" in link for link in links)
    for link in links:
        if "stage=all" not in link and "stage=unique" not in link:
            continue  # the screening stages: nothing screened here yet
        response = client.get(link)
        titles = sorted(r["title"].split("number ")[1].split()[0] for r in _csv_rows(response))
        assert titles == ["1", "2"]
        assert "filtered" in response["Content-Disposition"]
    # The RIS export of the same filters has the same two records.
    ris_text = _download(client.get(reverse("record_export_ris", args=[review.pk]) + "?stage=unique&" + query))
    assert ris_text.count("\nER  -") + ris_text.startswith("ER  -") == 2


def test_without_filters_the_records_page_exports_everything(client_for, review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(record(1), record(2)), "s.ris")
    page = client_for(lead).get(reverse("record_list", args=[review.pk])).content.decode()
    assert "?stage=all\"" in page and "?stage=unique\"" in page
    assert len(_csv_rows(client_for(lead).get(reverse("record_export_csv", args=[review.pk]) + "?stage=all"))) == 2


EMBASE_RIS = b"""TY  - JOUR
TI  - Home visiting for mothers of preterm infants
AU  - Smith, Jane
PY  - 2019
JF  - Infant Mental Health Journal
DB  - Embase
AN  - 2001234567
C5  - 31234567
M3  - Article
ER  - \n"""


def _tags(text: str) -> list[tuple[str, str]]:
    return [(line[:2], line[6:].strip()) for line in text.splitlines() if line[2:6] == "  - "]


def test_ris_puts_the_pmid_where_reference_managers_read_it(client_for, review, people):
    """An Embase record keeps its PMID in C5 and its own accession number in AN: the export has the
    PMID in AN with DB PubMed, not in C5, and Embase's number as a note; it still re-imports."""
    import_bytes(make_search(review, people["lead"], "Embase"), people["lead"], EMBASE_RIS, "embase.ris")
    text = _download(client_for(people["viewer"]).get(reverse("record_export_ris", args=[review.pk])))
    tags = _tags(text)
    assert [v for t, v in tags if t == "AN"] == ["31234567"]
    assert [v for t, v in tags if t == "DB"] == ["PubMed"]
    assert not [v for t, v in tags if t == "C5"]
    assert ("N1", "Accession number in Embase: 2001234567") in tags
    assert ("M3", "Article") in tags and tags[0] == ("TY", "JOUR") and tags[-1][0] == "ER"
    assert [c.pmid for c in parse(text.encode(), "export.ris", format="ris")] == ["31234567"]


def test_generated_ris_keeps_the_publication_type_and_the_pmid(client_for, review, people):
    rows = ("Title,Authors,Year,Source title,Document Type,PubMed ID\n"
            "Video feedback for parents,Doe J.,2018,Attachment and Human Development,Article,29876543\n"
            "Mentalising in groups,Roe R.,2020,Proceedings of WAIMH,Conference Paper,\n")
    import_bytes(make_search(review, people["lead"], "Scopus"), people["lead"], rows.encode(), "scopus.csv")
    text = _download(client_for(people["viewer"]).get(reverse("record_export_ris", args=[review.pk])))
    first, second = (_tags(block) for block in text.strip().split("\n\n"))
    assert first[0] == ("TY", "JOUR") and ("M3", "Article") in first
    assert ("AN", "29876543") in first and ("DB", "PubMed") in first
    assert second[0] == ("TY", "CPAPER") and ("M3", "Conference Paper") in second
    assert not [t for t, _ in second if t in ("AN", "DB")]


@pytest.mark.parametrize(("given", "ty"), [
    ("Article", "JOUR"), ("Journal Article; Randomized Controlled Trial", "JOUR"), ("Review", "JOUR"),
    ("Conference Paper", "CPAPER"), ("Book Chapter", "CHAP"), ("phdthesis", "THES"), ("chap", "CHAP"),
    ("", "JOUR"), (None, "JOUR"),
])
def test_each_publication_type_gets_the_nearest_ris_type(given, ty):
    from screening.exports import ris_type
    assert ris_type(given) == ty
