"""The lead's team view: per screener and stage, decisions, waiting, conflicts, open records and
median seconds per decision, on the page and in the API, with figures the test works out itself."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from reviewapp import services as review_services
from screening import pace, services
from screening.models import Decision, Record, ScreeningItem, ScreeningStage
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_pace_is_the_median_gap_with_breaks_left_out():
    times = [START + timedelta(seconds=s) for s in (0, 20, 50, 60, 60 + 3600, 60 + 3600 + 40)]
    # Gaps 20, 30, 10, (3600: a break), 40 -> median of 10, 20, 30, 40.
    assert pace.seconds_per_decision(times) == [20, 30, 10, 40]
    assert pace.median_seconds(list(reversed(times))) == 25.0
    assert pace.median_seconds([START]) is None


@pytest.fixture
def screened(review, people):
    lead, first, second = people["lead"], people["reviewer"], people["reviewer_extractor"]
    search = make_search(review, lead)
    import_bytes(search, lead, ris(*(record(n) for n in range(1, 9))), "scopus.ris")
    items = [ScreeningItem.objects.get(record=r, stage=ScreeningStage.TITLE_ABSTRACT)
             for r in Record.objects.filter(review=review).order_by("number")]
    # first: includes 1-3, excludes 4; second: includes 1, excludes 2 (a conflict), leaves 3-4 waiting.
    plan = [(first, 0, "include"), (first, 1, "include"), (first, 2, "include"), (first, 3, "exclude"),
            (second, 0, "include"), (second, 1, "exclude")]
    gaps = {first.pk: [0, 12, 30, 18], second.pk: [0, 7]}  # seconds after the person's previous decision
    clock = {first.pk: START, second.pk: START}
    seen = {first.pk: 0, second.pk: 0}
    for person, i, value in plan:
        decision = services.decision_record(actor=person, review=review, item_id=items[i].pk, value=value)
        clock[person.pk] += timedelta(seconds=gaps[person.pk][seen[person.pk]])
        seen[person.pk] += 1
        Decision.objects.filter(pk=decision.pk).update(created_at=clock[person.pk])
    return review, people


def test_the_team_view_counts_each_screeners_work(client, screened):
    review, people = screened
    first, second = people["reviewer"].username, people["reviewer_extractor"].username
    client.force_login(people["lead"])
    page = client.get(reverse("screening_team", args=[review.pk]))
    assert page.status_code == 200
    rows = {(r.username, r.stage): r for r in page.context["rows"]}
    # 8 records; 1 settled (both included), 2 in conflict, 3 and 4 wait for the second reviewer.
    a, b = rows[(first, "ta")], rows[(second, "ta")]
    assert (a.decided, a.waiting, a.conflicts, a.open) == (4, 2, 1, 4)  # 5-8 are open to them
    assert (b.decided, b.waiting, b.conflicts, b.open) == (2, 0, 1, 6)  # 3-8
    assert a.median_seconds == 18.0 and b.median_seconds == 7.0  # gaps 12, 30, 18; and 7
    lead = rows[(people["lead"].username, "ta")]
    assert (lead.decided, lead.open, lead.median_seconds) == (0, 6, None)
    _, key = review_services.api_token_create(user=people["lead"], name="t", scope="read")
    api = client.get(reverse("api_screening_team", args=[review.pk]), HTTP_AUTHORIZATION=f"Token {key}").json()
    assert {(r["username"], r["stage"]): (r["decided"], r["waiting"], r["conflicts"], r["open"], r["median_seconds"])
            for r in api}[(first, "ta")] == (4, 2, 1, 4, 18.0)


def test_the_team_view_names_people_by_their_full_names(client, screened):
    review, people = screened
    people["reviewer"].first_name, people["reviewer"].last_name = "Rita", "Reviewer"
    people["reviewer"].save()
    client.force_login(people["lead"])
    html = client.get(reverse("screening_team", args=[review.pk])).content.decode()
    assert ">Rita Reviewer</a>" in html
    assert f">{people['reviewer_extractor'].username}</a>" in html  # no full name: the username


def test_only_leads_see_the_team_view(client, screened):
    review, people = screened
    client.force_login(people["reviewer"])
    assert client.get(reverse("screening_team", args=[review.pk])).status_code == 403
    _, key = review_services.api_token_create(user=people["reviewer"], name="t", scope="read")
    assert client.get(reverse("api_screening_team", args=[review.pk]),
                      HTTP_AUTHORIZATION=f"Token {key}").status_code == 403
