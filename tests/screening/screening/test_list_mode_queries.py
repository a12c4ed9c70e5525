"""List mode's database work does not grow with the page's length (#32): a list of 25 records costs the
queries a list of 5 does, when the batch is claimed, when the page is first shown, when it is shown again
(held) with some records decided and others' decisions on them, and through the API."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviewapp import services as review_services
from screening import services
from tests.screening.helpers import import_bytes, make_search, record, ris

from .conftest import decide


@pytest.fixture
def many_records(review, people):
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], ris(*(record(n) for n in range(1, 121))), "scopus.ris")
    return list(review.screening_items.order_by("id"))


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def costs(client, review, user, items, size: int) -> dict[str, int]:
    """Queries of list mode for one reviewer with a list of ``size``: others have decided some of the
    records this reviewer gets, so the blindness rule is asked of each."""
    services.screener_preference_set(user=user, mode="list", batch_size=size)
    client.force_login(user)
    url = reverse("screen_list", args=[review.pk])
    found: dict[str, int] = {}
    found["claim"] = queries(lambda: services.screening_batch(reviewer=user, review=review, stage="ta", size=size))
    services.claims_release(actor=user, review=review, reviewer=user)
    found["first load"] = queries(lambda: client.get(url))
    rows = [row["item"] for row in client.get(url).context["rows"]]
    assert len(rows) == size
    decide(review, user, rows[0], "include")
    decide(review, user, rows[1], "exclude")  # the other decision is in: a conflict
    found["held"] = queries(lambda: client.get(url))
    found["api"] = queries(lambda: client.get(reverse("api_screening_batch", args=[review.pk, "ta"])))
    return found


@pytest.mark.parametrize("blind", [True, False])
def test_list_mode_queries_do_not_grow_with_the_page_length(client, review, people, make_user, many_records, blind):
    lead = people["lead"]
    services.screening_settings_update(actor=lead, review=review, blind=blind)
    # The lead has decided every record already: each waits for one more decision, and a reviewer's
    # exclusion after the lead's inclusion puts a record in conflict.
    for item in many_records[:60]:
        decide(review, lead, item, "include")
    short, long = make_user("short"), make_user("long")
    for person in (short, long):
        review_services.member_roles_set(actor=lead, review=review, user=person, roles=["reviewer"])
    five = costs(client, review, short, many_records, 5)
    twenty_five = costs(client, review, long, many_records, 25)
    assert twenty_five == five
    assert five["first load"] <= 60 and five["claim"] <= 20
