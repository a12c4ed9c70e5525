"""PRISMA 2020 counts from the log: the arithmetic holds on random logs, boxes list their records,
the downloads have the shapes scripts rely on."""
from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewapp import services as review_services
from screening import services
from screening.models import Record, ScreeningItem
from screening.prisma import box_records, checklist_suggestions, prisma_counts
from tests.screening.helpers import import_bytes, make_search, record, ris

Status = ScreeningItem.Status
TA_FATES = ["wait", "include", "exclude", "automation"]
FT_FATES = ["wait", "include", "exclude", "not_retrieved"]
REASONS = ["Wrong population", "Wrong outcome", "Wrong study design"]


def _review_with_records(make_user, n_db: int, n_other: int, dups: int):
    lead = make_user(f"lead{make_user.counter}")
    make_user.counter += 1
    review = review_services.review_create(creator=lead, title="PRISMA property")
    review_services.member_roles_set(actor=lead, review=review, user=lead, roles=["lead", "reviewer"])
    services.screening_settings_update(actor=lead, review=review, reviewers_per_record=1)
    import_bytes(make_search(review, lead, database="MEDLINE"), lead,
                 ris(*(record(n) for n in range(1, n_db + 1))), "medline.ris")
    if n_other:
        import_bytes(make_search(review, lead, database="Reference lists", source="citation"), lead,
                     ris(*(record(n, title=f"Cited study {n} of parents", doi=f"10.2000/c.{n}")
                           for n in range(1, n_other + 1))), "citations.ris")
    # mark some database records as duplicates of the first (as a lead's merge would)
    records = list(Record.objects.filter(review=review, search__database="MEDLINE").order_by("id"))
    Record.objects.filter(pk__in=[r.pk for r in records[1:1 + dups]]).update(duplicate_of=records[0])
    services.screening_items_sync(review_id=review.pk)
    return review, lead


def _apply(review, lead, stage: str, fates: list[str], other_first: bool = False) -> None:
    items = list(ScreeningItem.objects.filter(review=review, stage=stage, status=Status.PENDING).order_by("id"))
    if other_first:  # records from other methods first, to reach them with few fates
        items.sort(key=lambda item: item.record.search.source in ("database", "register"))
    for item, fate in zip(items, fates, strict=False):
        if fate == "wait":
            continue
        if fate == "automation":
            ScreeningItem.objects.filter(pk=item.pk).update(status=Status.AUTOMATION_EXCLUDED)
            continue
        reason = REASONS[item.pk % len(REASONS)] if fate == "exclude" and stage == "ft" else ""
        services.decision_record(actor=lead, review=review, item_id=item.pk, value=fate, reason=reason)


@pytest.fixture
def counting_user(make_user):
    make_user.counter = 0
    return make_user


def _assert_every_column_adds_up(c) -> None:
    """The flow's arithmetic, column by column, on the counts the page, API and CSV are drawn from."""
    assert c.main.records_identified == c.identified
    assert c.other.records_identified == c.identified_other
    assert c.main.records_removed == c.duplicates_removed + c.automation_ineligible
    for name, col in (("databases and registers", c.main), ("other methods", c.other)):
        assert col.records_identified == col.records_removed + col.records_screened + col.records_awaiting, name
        assert col.records_screened == col.records_excluded + col.sought, name
        assert col.sought == col.not_retrieved + col.assessed + col.awaiting, name
        assert col.assessed == col.excluded + col.included, name
        assert sum(col.excluded_by_reason.values()) == col.excluded, name
    assert c.reports_included == c.main.included + c.other.included
    assert c.studies_included <= c.reports_included


def _assert_csv_adds_up(boxes: dict[str, int]) -> None:
    """The same sums on prisma.csv alone (boxes a script reads; an absent awaiting box is 0)."""
    get = lambda box: boxes.get(box, 0)  # noqa: E731
    for sfx, identified, removed in (
            ("", get("identified_databases") + get("identified_registers"),
             get("duplicates_removed") + get("automation_ineligible") + get("other_removed")),
            ("_other", get("identified_other"), get("automation_ineligible_other"))):
        if sfx and not identified:
            continue
        assert identified - removed == get("records_screened" + sfx) + get("records_awaiting" + sfx), sfx
        assert get("records_screened" + sfx) - get("records_excluded" + sfx) == get("reports_sought" + sfx), sfx
        assert get("reports_sought" + sfx) == (get("reports_not_retrieved" + sfx) + get("reports_assessed" + sfx)
                                               + get("reports_awaiting" + sfx)), sfx
    assert get("reports_assessed") - get("reports_excluded") + get("reports_included_other") == get("reports_included")


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n_db=st.integers(1, 8), n_other=st.integers(0, 4), dups=st.integers(0, 3),
       ta=st.lists(st.sampled_from(TA_FATES), max_size=12), ft=st.lists(st.sampled_from(FT_FATES), max_size=12),
       other_first=st.booleans())
@pytest.mark.django_db
def test_the_flow_diagram_adds_up_in_every_column_on_any_log(counting_user, n_db, n_other, dups, ta, ft,
                                                             other_first):
    review, lead = _review_with_records(counting_user, n_db, n_other, min(dups, n_db - 1))
    _apply(review, lead, "ta", ta, other_first=other_first)
    _apply(review, lead, "ft", ft, other_first=other_first)
    c = prisma_counts(review=review)
    assert c.identified == n_db and c.identified_other == n_other
    _assert_every_column_adds_up(c)
    _assert_csv_adds_up(dict(c.csv_rows()))
    # every box lists exactly as many records as it counts
    for box, count in c.csv_rows():
        if box.startswith(("studies_", "identified_other:")):
            continue
        assert box_records(review=review, box=box).distinct().count() == count, box


@pytest.mark.django_db
def test_records_from_citation_searching_are_counted_at_every_stage_of_screening(counting_user, client):
    """The other-methods column from import to the end: 11 records from reference lists are never
    lost between "identified" and "reports sought"."""
    review, lead = _review_with_records(counting_user, 4, 11, 1)
    client.force_login(lead)

    def published():
        boxes = {b: int(n) for b, n in list(csv.reader(io.StringIO(
            client.get(reverse("prisma_csv", args=[review.pk])).content.decode())))[1:]}
        api = client.get(reverse("api_prisma", args=[review.pk])).json()
        c = prisma_counts(review=review)
        _assert_every_column_adds_up(c)
        _assert_csv_adds_up(boxes)
        assert api["other"]["records_screened"] == boxes["records_screened_other"] == c.other.records_screened
        return c, boxes

    c, boxes = published()  # nothing screened: all 11 wait
    assert (c.other.records_identified, c.other.records_awaiting, c.other.sought) == (11, 11, 0)
    assert boxes["records_awaiting_other"] == 11
    _apply(review, lead, "ta", ["include"] * 3 + ["exclude"] * 2, other_first=True)  # under way
    c, boxes = published()
    assert (c.other.records_screened, c.other.records_excluded, c.other.records_awaiting) == (5, 2, 6)
    assert (boxes["reports_sought_other"], boxes["reports_awaiting_other"]) == (3, 3)
    svg = client.get(reverse("prisma_svg", args=[review.pk])).content.decode()
    for box in ("records_screened_other", "records_excluded_other", "records_awaiting_other"):
        assert reverse("prisma_box", args=[review.pk, box]) in svg, box
    _apply(review, lead, "ta", ["include"] * 2 + ["exclude"] * 8, other_first=True)  # title/abstract done
    _apply(review, lead, "ft", ["include", "exclude", "not_retrieved", "include", "exclude"], other_first=True)
    c, boxes = published()
    assert (c.other.records_screened, c.other.records_excluded, c.other.records_awaiting) == (11, 6, 0)
    assert (c.other.sought, c.other.not_retrieved, c.other.assessed, c.other.included) == (5, 1, 4, 2)
    assert "records_awaiting_other" not in boxes  # nothing waits any more: the box goes
    # the checklist's prefilled results sentence counts both columns, in singular where it is one
    said = checklist_suggestions(review=review)["16a"][1]
    assert said.startswith("15 records identified, 1 duplicate removed, 14 screened, 4 full texts assessed")


@pytest.mark.django_db
def test_prisma_csv_has_the_boxes_scripts_rely_on(client_for, review, people):
    import_bytes(make_search(review, people["lead"], database="EMBASE"), people["lead"],
                 ris(*(record(n) for n in range(1, 4))), "embase.ris")
    response = client_for(people["viewer"]).get(reverse("prisma_csv", args=[review.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["box", "count"]
    boxes = dict(rows[1:])
    for box in ["identified_databases", "identified_registers", "identified_other", "duplicates_removed",
                "automation_ineligible", "other_removed", "records_screened", "records_excluded",
                "reports_sought", "reports_not_retrieved", "reports_assessed", "reports_excluded",
                "studies_included", "reports_included"]:
        assert box in boxes, box
    assert boxes["identified_database:EMBASE"] == "3"
    assert boxes["records_awaiting"] == "3"


@pytest.mark.django_db
def test_the_diagram_page_links_each_number_to_its_records(client_for, review, people):
    import_bytes(make_search(review, people["lead"], database="EMBASE"), people["lead"],
                 ris(*(record(n) for n in range(1, 4))), "embase.ris")
    client = client_for(people["viewer"])
    page = client.get(reverse("prisma", args=[review.pk]))
    assert b"<svg" in page.content and b"Records identified from:" in page.content
    link = reverse("prisma_box", args=[review.pk, "identified_database:EMBASE"])
    assert link.encode() in page.content
    assert client.get(link).context["page"].paginator.count == 3
    assert client.get(reverse("prisma_box", args=[review.pk, "no_such_box"])).status_code == 404
    svg = client.get(reverse("prisma_svg", args=[review.pk]))
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")


@pytest.mark.django_db
def test_png_and_pdf_downloads(client_for, review, people):
    from tests.support import require

    try:
        import cairosvg  # noqa: F401
        have_cairo = True
    except OSError:
        have_cairo = False
    require(have_cairo, "the cairo library is not installed (apt-get install libcairo2)")
    client = client_for(people["viewer"])
    png = client.get(reverse("prisma_png", args=[review.pk]))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    pdf = client.get(reverse("prisma_pdf", args=[review.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_updated_review_and_other_methods_columns_appear_with_their_data(client_for, review, people):
    from screening.models import Study

    lead = people["lead"]
    import_bytes(make_search(review, lead, database="Reference lists", source="citation"), lead,
                 ris(record(1)), "citations.ris")
    Study.objects.create(review=review, label="Old 2015", previous_version=True)
    client = client_for(lead)
    svg = client.get(reverse("prisma_svg", args=[review.pk])).content.decode()
    assert "Identification of new studies via other methods" in svg
    assert ">Previous studies<" in svg and "Total studies included in review" in svg
    boxes = dict(csv.reader(io.StringIO(client.get(reverse("prisma_csv", args=[review.pk])).content.decode())))
    assert (boxes["previous_studies"], boxes["identified_other"]) == ("1", "1")


@pytest.mark.django_db
def test_search_appendix_states_imported_minus_reported_signed_everywhere(client_for, review, people):
    # 5 reported, 3 imported: two records missing from the export, so the difference is -2 (never +2).
    import_bytes(make_search(review, people["lead"], database="PsycINFO", reported_hits=5), people["lead"],
                 ris(*(record(n) for n in range(1, 4))), "psycinfo.ris")
    import_bytes(make_search(review, people["lead"], database="CINAHL", reported_hits=1), people["lead"],
                 ris(record(11), record(12)), "cinahl.ris")
    client = client_for(people["viewer"])
    page = client.get(reverse("search_appendix", args=[review.pk])).content.decode()
    assert "imported minus reported: -2; check the export" in page
    assert "imported minus reported: +1; check the export" in page
    md = client.get(reverse("search_appendix_md", args=[review.pk])).content.decode()
    assert "## 1. CINAHL" in md and "parent* AND infant*" in md
    assert "records imported: 3 (imported minus reported: -2; check the export)" in md
    assert "records imported: 2 (imported minus reported: +1; check the export)" in md
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("search_appendix_csv", args=[review.pk])).content
                                           .decode())))
    by_db = {r["database"]: r for r in rows}
    assert (by_db["PsycINFO"]["records_reported"], by_db["PsycINFO"]["records_imported"]) == ("5", "3")
    assert by_db["PsycINFO"]["imported_minus_reported"] == "-2"
    assert by_db["CINAHL"]["imported_minus_reported"] == "1"


@pytest.mark.django_db
def test_the_checklist_is_prefilled_and_saved_by_the_lead(client_for, review, people):
    from reviewapp.models import AuditEvent

    import_bytes(make_search(review, people["lead"], database="PsycINFO"), people["lead"], ris(record(1)),
                 "psycinfo.ris")
    client = client_for(people["lead"])
    page = client.get(reverse("prisma_checklist", args=[review.pk]))
    rows = {r["item"]: r for r in page.context["rows"]}
    assert rows["7"]["location"] == "Supplementary file: search appendix"
    assert "1 record identified, 0 duplicates removed" in rows["16a"]["note"]
    client.post(reverse("prisma_checklist", args=[review.pk]), {"location-1": "Title page", "note-1": ""})
    rows = {r["item"]: r for r in client.get(reverse("prisma_checklist", args=[review.pk])).context["rows"]}
    assert rows["1"]["location"] == "Title page" and rows["1"]["saved"]
    assert AuditEvent.objects.filter(object_type="screening.ChecklistEntry").count() == 1
    assert client_for(people["reviewer"]).post(reverse("prisma_checklist", args=[review.pk]),
                                               {"location-1": "x"}).status_code == 403
    csv_text = client_for(people["viewer"]).get(reverse("prisma_checklist_csv", args=[review.pk])).content.decode()
    assert "Title page" in csv_text
