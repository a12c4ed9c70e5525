"""The records list as a work surface: its filters (page, export and API share one), blind
screening kept by the decision filters, and sortable columns. Expected counts come from the plan
the test screened, not from the filter's own queries."""
from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from screening import services
from screening.models import Record, ScreeningItem, ScreeningStage
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db

REASON = "Wrong population"
# Title/abstract decisions per record number: (reviewer's, second reviewer's); None: not decided.
TA_PLAN = {1: ("include", "include"), 2: ("exclude", "exclude"), 3: ("include", "exclude"),
           4: ("exclude", None), 5: (None, "include")}
N_RECORDS = 12


@pytest.fixture
def screened(review, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    lead, first, second = people["lead"], people["reviewer"], people["reviewer_extractor"]
    search = make_search(review, lead)
    import_bytes(search, lead, ris(*(record(n) for n in range(1, N_RECORDS + 1))), "scopus.ris")
    by_number = {r.number: r for r in Record.objects.filter(review=review)}
    ta = {n: ScreeningItem.objects.get(record=by_number[n], stage=ScreeningStage.TITLE_ABSTRACT) for n in by_number}
    for n, values in TA_PLAN.items():
        for person, value in zip((first, second), values, strict=True):
            if value:
                services.decision_record(actor=person, review=review, item_id=ta[n].pk, value=value,
                                         tags=["child"] if n in (4, 5) else ())
    ft = ScreeningItem.objects.get(record=by_number[1], stage=ScreeningStage.FULL_TEXT)
    for person in (first, second):
        services.decision_record(actor=person, review=review, item_id=ft.pk, value="exclude", reason=REASON)
    services.fulltext_upload(actor=lead, record=by_number[1], upload=b"%PDF-1.4\n% text\n%%EOF\n")
    return review, people, by_number


def api_numbers(client, review, person, query: str) -> set[int]:
    _, key = review_services.api_token_create(user=person, name="t", scope="read")
    response = client.get(reverse("api_records", args=[review.pk]) + query + "&limit=100",
                          HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200, response.content
    return {r["number"] for r in response.json()["results"]}


def export_numbers(client, review, person, query: str) -> set[int]:
    client.force_login(person)
    response = client.get(reverse("record_export_csv", args=[review.pk]) + "?stage=all&" + query)
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    return {int(r["number"]) for r in rows}


UNDECIDED = set(range(6, N_RECORDS + 1))


@pytest.mark.parametrize("page_query, api_query, expected", [
    ("status=pending", "status=pending", {4, 5} | UNDECIDED),
    ("status=waiting", "status=waiting", {4, 5}),
    ("status=conflict", "status=conflict", {3}),
    ("status=excluded&screening_stage=ta", "status=excluded&stage=ta", {2}),
    ("status=excluded&screening_stage=ft", "status=excluded&stage=ft", {1}),
    ("status=included", "status=included", {1}),
    ("my_decision=include", "my_decision=include", {1, 3}),
    ("my_decision=none&screening_stage=ta", "my_decision=none&stage=ta", {5} | UNDECIDED),
    ("reason=Wrong+population", "reason=Wrong+population", {1}),
    ("has_fulltext=yes", "has_fulltext=yes", {1}),
    ("has_fulltext=no&status=pending", "has_fulltext=no&status=pending", {4, 5} | UNDECIDED),
    ("tag=child", "tag=child", {4}),  # the reviewer's own tag; the other one's is blind
    ("year_from=2010&status=pending", "year_from=2010&status=pending", {n for n in {4, 5} | UNDECIDED
                                                                        if 2000 + n % 20 >= 2010}),
])
def test_each_filter_finds_what_was_screened_on_page_export_and_api(client, screened, page_query, api_query,
                                                                    expected):
    review, people, _ = screened
    reviewer = people["reviewer"]
    assert api_numbers(client, review, reviewer, "?" + api_query) == expected
    assert export_numbers(client, review, reviewer, page_query) == expected
    client.force_login(reviewer)
    page = client.get(reverse("record_list", args=[review.pk]) + "?" + page_query)
    assert page.status_code == 200
    assert f"{len(expected)} record{'s' if len(expected) != 1 else ''} match" in page.content.decode()


def test_the_reviewer_filter_keeps_what_that_person_decided(client, screened):
    review, people, _ = screened
    second = people["reviewer_extractor"]
    decided = {n for n, (_, value) in TA_PLAN.items() if value}
    assert api_numbers(client, review, people["lead"], f"?reviewer={second.pk}") == decided
    assert export_numbers(client, review, people["lead"], f"reviewer={second.pk}") == decided


@pytest.mark.parametrize("person, value, expected", [
    # The reviewer sees the other's include on the settled record, not on the waiting one (5).
    ("reviewer", "include", {1}),
    # A party to the conflict (3) does not see the other side's include there.
    ("reviewer_extractor", "include", {1}),
    ("reviewer_extractor", "exclude", {1, 2}),  # 1: both excluded its full text
    # The lead resolves conflicts, so sees both sides of 3; never the waiting records' decisions.
    ("lead", "include", {1, 3}),
    ("lead", "exclude", {1, 2, 3}),
])
def test_the_others_decision_filter_keeps_blind_decisions_hidden(client, screened, person, value, expected):
    review, people, _ = screened
    assert api_numbers(client, review, people[person], f"?other_decision={value}") == expected
    assert export_numbers(client, review, people[person], f"other_decision={value}") == expected


def test_a_tag_on_a_waiting_record_is_found_only_by_its_author(client, screened):
    review, people, _ = screened
    assert api_numbers(client, review, people["reviewer_extractor"], "?tag=child") == {5}
    assert api_numbers(client, review, people["lead"], "?tag=child") == set()


def test_columns_sort_and_the_order_stays_in_the_links(client, screened):
    review, people, by_number = screened
    client.force_login(people["lead"])
    url = reverse("record_list", args=[review.pk])
    page = client.get(url + "?status=pending&sort=-year")
    shown = [r.number for r in page.context["page"]]
    pending = [by_number[n] for n in sorted({4, 5} | UNDECIDED)]
    assert shown == [r.number for r in sorted(pending, key=lambda r: (-r.year, r.number))]
    # The year header now offers the other direction and keeps the status filter.
    assert page.context["sorts"]["year"]["state"] == "descending"
    assert "status=pending" in page.context["sorts"]["title"]["query"]
    by_status = [r.number for r in client.get(url + "?sort=status&screening_stage=ta").context["page"]]
    assert by_status[0] == 3  # "conflict" sorts first of the statuses here


def test_a_filter_that_cannot_be_read_is_named_and_matches_nothing(client, screened):
    review, people, _ = screened
    client.force_login(people["lead"])
    page = client.get(reverse("record_list", args=[review.pk]) + "?status=lost")
    assert page.status_code == 400 and "Status" in page.content.decode()
    _, key = review_services.api_token_create(user=people["lead"], name="t", scope="read")
    api = client.get(reverse("api_records", args=[review.pk]) + "?my_decision=perhaps",
                     HTTP_AUTHORIZATION=f"Token {key}")
    assert api.status_code == 400 and "my_decision" in api.json().get("errors", api.json()).__str__()


# ---------------------------------------------------------------- the selection

def test_the_lead_excludes_a_selection_in_one_audited_action(client, screened):
    from reviewapp.models import AuditEvent

    review, people, by_number = screened
    client.force_login(people["lead"])
    chosen = [by_number[n].pk for n in (6, 7, 8)]
    response = client.post(reverse("record_bulk", args=[review.pk]),
                           {"ids": chosen, "action": "exclude", "at": "ta", "reason": "Animal study",
                            "query": "status=pending"})
    assert response.status_code == 302 and response["Location"].endswith("?status=pending")
    items = ScreeningItem.objects.filter(record_id__in=chosen, stage="ta")
    assert {(i.status, i.reason, i.resolved_by_id) for i in items} == {("excluded", "Animal study",
                                                                       people["lead"].pk)}
    event = AuditEvent.objects.filter(review=review, actor=people["lead"]).latest("id")
    assert event.after == {"stage": "ta", "reason": "Animal study", "records": [6, 7, 8]}
    assert "#6, #7, #8" in event.object_label
    # The reason is found by the filters like any other.
    assert export_numbers(client, review, people["lead"], "reason=Animal+study") == {6, 7, 8}
    assert api_numbers(client, review, people["lead"], "?reason=Animal+study") == {6, 7, 8}


def test_a_selection_with_a_decided_record_is_refused_whole_and_named(client, screened):
    from reviewapp.models import AuditEvent

    review, people, by_number = screened
    before = AuditEvent.objects.count()
    _, key = review_services.api_token_create(user=people["lead"], name="t", scope="read-write")
    response = client.post(reverse("api_records_exclude", args=[review.pk]),
                           {"stage": "ta", "records": [by_number[n].pk for n in (4, 9, 2)], "reason": "Off topic"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 400
    text = str(response.json())
    assert "#2: already excluded" in text and "#4: already has a reviewer's decision" in text
    assert ScreeningItem.objects.get(record=by_number[9], stage="ta").status == "pending"
    assert AuditEvent.objects.count() == before
    ok = client.post(reverse("api_records_exclude", args=[review.pk]),
                     {"stage": "ta", "records": [by_number[9].pk], "reason": "Off topic"},
                     content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert ok.status_code == 200 and ok.json() == {"excluded": 1}


def test_a_reviewer_cannot_exclude_a_selection_but_exports_it(client, screened):
    review, people, by_number = screened
    client.force_login(people["reviewer"])
    chosen = [by_number[n].pk for n in (9, 10)]
    refused = client.post(reverse("record_bulk", args=[review.pk]),
                          {"ids": chosen, "action": "exclude", "at": "ta", "reason": "Off topic"}, follow=True)
    assert "needs the role Lead" in refused.content.decode()
    assert set(ScreeningItem.objects.filter(record_id__in=chosen, stage="ta").values_list("status", flat=True)) \
        == {"pending"}
    export = client.post(reverse("record_bulk", args=[review.pk]), {"ids": chosen, "action": "csv"})
    assert export.status_code == 302
    assert export_numbers(client, review, people["reviewer"], export["Location"].split("?", 1)[1]) == {9, 10}


def test_the_lead_tags_and_untags_a_selection_and_the_tag_filter_finds_it(client, screened):
    from reviewapp.models import AuditEvent

    review, people, by_number = screened
    client.force_login(people["lead"])
    url = reverse("record_bulk", args=[review.pk])
    client.post(url, {"ids": [by_number[n].pk for n in (7, 8, 9)], "action": "tag", "tag": "check"})
    assert api_numbers(client, review, people["reviewer"], "?tag=check") == {7, 8, 9}
    _, key = review_services.api_token_create(user=people["lead"], name="t", scope="read-write")
    response = client.post(reverse("api_records_tags", args=[review.pk]),
                           {"records": [by_number[n].pk for n in (8, 10)], "tag": "check", "action": "remove"},
                           content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200 and response.json() == {"changed": 1}  # 10 had no such tag
    assert export_numbers(client, review, people["lead"], "tag=check") == {7, 9}
    events = list(AuditEvent.objects.filter(review=review, object_label__contains="check").order_by("id"))
    assert [e.after for e in events] == [{"tag": "check", "added": [7, 8, 9]}, {"tag": "check", "removed": [8]}]
    client.force_login(people["reviewer"])
    refused = client.post(url, {"ids": [by_number[10].pk], "action": "tag", "tag": "x"}, follow=True)
    assert "needs the role Lead" in refused.content.decode()
