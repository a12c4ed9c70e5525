"""PRISMA 2020's diagram for an updated review, from records the test creates: the first export of
40 records, an update overlapping it by half; only the new half is screened, the half found again
is counted, and the studies of the previous version (or of the first searches) are shown apart."""
from __future__ import annotations

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from reviewapp.versions.services import version_publish
from screening import services
from screening.models import Record, ScreeningItem, Study
from screening.prisma import box_records, checklist_suggestions, prisma_counts

from .helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db


def _decide(review, lead, stage: str, records, value: str) -> None:
    for item in ScreeningItem.objects.filter(review=review, stage=stage, record__in=records, status="pending"):
        services.decision_record(actor=lead, review=review, item_id=item.pk, value=value,
                                 reason="Wrong population" if (stage == "ft" and value == "exclude") else "")


def _first_review(review, lead):
    """40 records from MEDLINE; 4 included (as 4 studies), 2 excluded at full text, the rest at title."""
    services.screening_settings_update(actor=lead, review=review, reviewers_per_record=1)
    first = make_search(review, lead, "MEDLINE")
    import_bytes(first, lead, ris(*(record(n) for n in range(40))), "first.ris")
    records = list(Record.objects.filter(search=first).order_by("id"))
    _decide(review, lead, "ta", records[:6], "include")
    _decide(review, lead, "ta", records[6:], "exclude")
    _decide(review, lead, "ft", records[:4], "include")
    _decide(review, lead, "ft", records[4:6], "exclude")
    return first


def _update(review, lead, first):
    update = services.search_rerun(actor=lead, search=first, date_run=datetime.date(2022, 3, 1))
    import_bytes(update, lead, ris(*(record(n) for n in range(20, 60))), "update.ris")
    return update


def _assert_adds_up(c) -> None:
    col = c.main
    assert col.records_identified == c.duplicates_removed + c.automation_ineligible + col.records_screened \
        + col.records_awaiting
    assert col.records_screened == col.records_excluded + col.sought
    assert col.sought == col.not_retrieved + col.assessed + col.awaiting
    assert col.assessed == col.excluded + col.included
    assert c.found_again <= c.duplicates_removed


def test_a_rerun_search_makes_the_diagram_an_update_without_anyone_ticking_anything(review, people):
    lead = people["lead"]
    first = _first_review(review, lead)
    before = prisma_counts(review=review)
    assert not before.updated_review and before.studies_included == 4 and before.identified_databases == 40
    update = _update(review, lead, first)
    c = prisma_counts(review=review)
    assert c.updated_review and c.update and c.previous_version is None
    # Only the update's export counts in the new column: 40 identified, 20 found again and removed.
    assert (c.identified_databases, c.duplicates_removed, c.found_again) == (40, 20, 20)
    assert (c.records_screened, c.records_awaiting) == (0, 20)  # only the new half waits for screening
    assert (c.previous_studies, c.previous_reports) == (4, 4)
    assert (c.studies_included, c.reports_included) == (0, 0)
    _assert_adds_up(c)
    # The new half is screened: 2 included at full text (2 new studies), 1 excluded at full text.
    new = list(Record.objects.filter(search=update, duplicate_of__isnull=True).order_by("id"))
    assert len(new) == 20
    _decide(review, lead, "ta", new[:3], "include")
    _decide(review, lead, "ta", new[3:], "exclude")
    _decide(review, lead, "ft", new[:2], "include")
    _decide(review, lead, "ft", new[2:3], "exclude")
    c = prisma_counts(review=review)
    assert (c.records_screened, c.records_excluded, c.records_awaiting) == (20, 17, 0)
    assert (c.main.sought, c.main.assessed, c.main.excluded, c.main.included) == (3, 3, 1, 2)
    assert (c.studies_included, c.reports_included, c.previous_studies) == (2, 2, 4)
    _assert_adds_up(c)
    # Each box lists the records it counts.
    assert box_records(review=review, box="found_again").count() == 20
    assert box_records(review=review, box="records_screened").count() == 20
    assert set(box_records(review=review, box="reports_included")) == set(new[:2])
    assert box_records(review=review, box="previous_studies").values("study").distinct().count() == 4
    # The checklist's item 16a says so in words.
    said = checklist_suggestions(review=review)["16a"][1]
    assert "2 studies (2 reports) included in this update, with 4 studies of the previous version: 6 studies " \
           "in all; 20 records found again by the update's searches." in said


def test_the_page_svg_csv_and_api_show_the_update_shape(review, people, client_for):
    lead = people["lead"]
    _update(review, lead, _first_review(review, lead))
    client = client_for(lead)
    svg = client.get(reverse("prisma_svg", args=[review.pk])).content.decode()
    assert ">Previous studies<" in svg and "Identification of new studies via databases and registers" in svg
    text = " ".join(re.findall(r">([^<>]+)</text>", svg)).replace("\u00a0", " ")
    assert "Studies included in previous version of review (n = 4)" in text
    assert "found again (already in the review) (n = 20)" in text
    assert "Total studies included in review (n = 4)" in text
    page = client.get(reverse("prisma", args=[review.pk])).content.decode()
    assert "Previous studies" in page
    boxes = dict(csv.reader(io.StringIO(client.get(reverse("prisma_csv", args=[review.pk])).content.decode())))
    assert (boxes["identified_databases"], boxes["duplicates_removed"], boxes["found_again"]) == ("40", "20", "20")
    assert (boxes["previous_studies"], boxes["previous_reports"], boxes["records_awaiting"]) == ("4", "4", "20")
    api = client.get(f"/api/v1/reviews/{review.pk}/prisma/").json()
    assert (api["update"], api["previous_studies"], api["found_again"], api["identified_databases"]) == (
        True, 4, 20, 40)


def test_a_published_version_gives_the_previous_studies_and_starts_the_update(review, people):
    lead = people["lead"]
    first = _first_review(review, lead)
    version = version_publish(actor=lead, review=review, note="First publication")
    assert version.figures["screening"]["studies_included"] == 4
    c = prisma_counts(review=review)
    # Published and nothing searched since: an update with no new records yet.
    assert (c.update, c.previous_version, c.previous_studies, c.identified_databases) == (True, 1, 4, 0)
    # A study the lead adds to the review after publication is not in the previous version's count.
    Study.objects.create(review=review, label="Late 2020")
    update = _update(review, lead, first)
    c = prisma_counts(review=review)
    assert (c.previous_studies, c.identified_databases, c.found_again, c.records_awaiting) == (4, 40, 20, 20)
    assert update.repeats == first
    _assert_adds_up(c)


def test_the_search_appendix_lists_every_run_with_its_query_change_and_found_again(review, people, client_for):
    lead = people["lead"]
    first = make_search(review, lead, "MEDLINE")
    import_bytes(first, lead, ris(*(record(n) for n in range(40))), "first.ris")
    update = services.search_rerun(actor=lead, search=first, date_run=datetime.date(2022, 3, 1),
                                   query="parent* AND (infant* OR baby)")
    import_bytes(update, lead, ris(*(record(n) for n in range(20, 60))), "update.ris")
    client = client_for(lead)
    page = client.get(reverse("search_appendix", args=[review.pk])).content.decode()
    assert "Run again of the search of 2021-09-30: 20 new records, 20 found again" in page
    assert 'class="diff-added">+ parent* AND (infant* OR baby)' in page
    assert 'class="diff-removed">− parent* AND infant*' in page
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("search_appendix_csv", args=[review.pk]))
                                           .content.decode())))
    assert [(r["date_run"], r["records_imported"], r["unique_after_deduplication"], r["found_again"],
             r["run_again_of"], r["query_changed"]) for r in rows] == [
        ("2021-09-30", "40", "40", "", "", ""), ("2022-03-01", "40", "20", "20", "2021-09-30", "yes")]
    md = client.get(reverse("search_appendix_md", args=[review.pk])).content.decode()
    assert "new records: 20; found again (already in the review): 20" in md
    assert "-parent* AND infant*\n+parent* AND (infant* OR baby)" in md
