"""Importing real exports through the service: stored verbatim, atomic, idempotent, deduplicated."""
from __future__ import annotations

import pytest

from reviewapp.models import AuditEvent
from screening import services
from screening.models import DuplicatePair, Record, ScreeningItem, SearchFile
from tests.support import shared_data

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


def test_a_real_scopus_export_is_stored_with_normalised_fields_and_the_original_text(review, people):
    path = shared_data("imports", "citation-file-formatting", "Datasets", "RIS", "_baseline_scopus.ris")
    search = make_search(review, people["lead"], "Scopus")
    search_file = import_bytes(search, people["lead"], path.read_bytes(), path.name)
    assert search_file.status == SearchFile.Status.DONE, search_file.error
    assert search_file.format == "ris"
    records = Record.objects.filter(search_file=search_file)
    assert records.count() == search_file.records_imported > 0
    with_doi = records.exclude(doi="").first()
    assert with_doi.doi == with_doi.doi.lower() and not with_doi.doi.startswith("http")
    assert isinstance(with_doi.authors, list) and with_doi.authors
    assert with_doi.raw.startswith("TY  - ") and with_doi.raw.rstrip().endswith("ER  -")
    # The file is kept exactly as uploaded.
    with search_file.file.open("rb") as handle:
        assert handle.read() == path.read_bytes()


def test_a_pubmed_export_imports_with_pmids(review, people):
    path = shared_data("imports", "citation-file-formatting", "Datasets", "RIS", "_baseline_pubmed.ris")
    search = make_search(review, people["lead"], "PubMed")
    search_file = import_bytes(search, people["lead"], path.read_bytes(), path.name)
    assert search_file.status == SearchFile.Status.DONE, search_file.error
    assert search_file.format == "medline"
    assert search_file.records_imported == 50
    assert Record.objects.filter(search_file=search_file).exclude(pmid="").count() == 50


def test_a_file_with_an_error_in_the_middle_imports_nothing_and_names_file_and_line(review, people):
    good = ris(*(record(n) for n in range(3000)))  # more than one insert batch before the error
    broken = good + b"TY  - JOUR\nTI  - cut off here\n"
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], broken, "scopus-export.ris")
    assert search_file.status == SearchFile.Status.FAILED
    assert "scopus-export.ris" in search_file.error
    assert search_file.error_line == good.count(b"\n") + 1
    assert "truncated" in search_file.error
    assert Record.objects.count() == 0
    assert search_file.records_imported == 0


@pytest.mark.parametrize("data, expected", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "PNG image"),
    (bytes(range(256)) * 16, "binary"),
    (b"This is a letter to the editor, not an export.\nIt has two lines.\n", "expected"),
])
def test_files_that_are_not_exports_fail_with_a_clear_reason(review, people, data, expected):
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], data, "results.ris")
    assert search_file.status == SearchFile.Status.FAILED
    assert "results.ris" in search_file.error and expected in search_file.error
    assert not Record.objects.exists()


def test_an_empty_upload_is_refused_before_storing_anything(review, people):
    from reviewapp.exceptions import ApplicationError

    search = make_search(review, people["lead"])
    with pytest.raises(ApplicationError, match="empty.ris is empty"):
        services.search_file_create(actor=people["lead"], search=search, upload=b"", filename="empty.ris")
    assert not SearchFile.objects.exists()


def test_running_the_import_again_does_not_duplicate_records(review, people):
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], ris(*(record(n) for n in range(20))), "a.ris")
    services.search_file_import(search_file_id=search_file.pk)
    assert Record.objects.count() == 20
    # A worker lost mid-import leaves the file "running" with nothing committed; the retry imports it once.
    SearchFile.objects.filter(pk=search_file.pk).update(status=SearchFile.Status.RUNNING)
    services.search_file_import(search_file_id=search_file.pk)
    assert Record.objects.count() == 20
    assert Record.objects.filter(duplicate_of__isnull=False).count() == 0


def test_overlapping_searches_merge_sure_duplicates_and_keep_every_source(review, people):
    lead = people["lead"]
    scopus = make_search(review, lead, "Scopus")
    embase = make_search(review, lead, "EMBASE")
    import_bytes(scopus, lead, ris(*(record(n) for n in range(10))), "scopus.ris")
    second = import_bytes(embase, lead, ris(*(record(n) for n in range(5, 15))), "embase.ris")
    assert second.records_imported == 10
    assert second.duplicates_merged == 5
    assert Record.objects.filter(duplicate_of__isnull=True).count() == 15
    from screening.selectors import record_sources

    merged = Record.objects.filter(search=embase, duplicate_of__isnull=False).first()
    assert merged.duplicate_of.search == scopus
    assert [s.database for s in record_sources(record=merged.duplicate_of)] == ["Scopus", "EMBASE"]
    assert DuplicatePair.objects.filter(status=DuplicatePair.Status.MERGED, sure=True).count() == 5


def test_each_unique_record_gets_one_waiting_item_in_record_order(review, people):
    lead = people["lead"]
    import_bytes(make_search(review, lead, "Scopus"), lead, ris(*(record(n) for n in range(10))), "scopus.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(*(record(n) for n in range(5, 15))), "embase.ris")
    items = list(ScreeningItem.objects.filter(review=review).order_by("id"))
    unique = list(Record.objects.filter(review=review, duplicate_of__isnull=True).order_by("id"))
    # The queue (import order) follows the records; the records merged away have none.
    assert [i.record_id for i in items] == [r.pk for r in unique] and len(unique) == 15
    assert {(i.stage, i.status, i.decisions_count, i.priority, i.reason, i.resolved_by_id, i.settled_at)
            for i in items} == {("ta", "pending", 0, 0, "", None, None)}
    assert all(i.created_at is not None for i in items)
    assert services.screening_items_sync(review_id=review.pk) == 0  # nothing missing: nothing added
    ScreeningItem.objects.filter(record=unique[3]).delete()
    assert services.screening_items_sync(review_id=review.pk) == 1
    assert ScreeningItem.objects.filter(review=review).count() == 15


def test_a_living_review_update_only_adds_new_unique_records(review, people):
    lead = people["lead"]
    first = make_search(review, lead, "MEDLINE")
    import_bytes(first, lead, ris(*(record(n) for n in range(8))), "2019.ris")
    update = make_search(review, lead, "MEDLINE")
    import_bytes(update, lead, ris(*(record(n) for n in range(8))) + ris(record(100), record(101)), "2021.ris")
    assert Record.objects.filter(search=update, duplicate_of__isnull=True).count() == 2


def test_the_import_is_audited(review, people):
    search = make_search(review, people["lead"])
    search_file = import_bytes(search, people["lead"], ris(record(1), record(2)), "a.ris")
    events = AuditEvent.objects.filter(review=review, object_type="screening.SearchFile", object_id=str(search_file.pk))
    assert {e.action for e in events} == {"create", "update"}
    done = events.get(action="update")
    assert done.after["records_imported"] == 2 and done.after["status"] == "done"
