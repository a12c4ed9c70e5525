"""J and K walk one history: the records shown in this session, decided or passed over (issue 33)."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _links(page) -> tuple[str | None, str | None]:
    text = page.content.decode()
    previous = re.search(r'<a id="previous" href="\?([^"]+)"', text)
    following = re.search(r'<a id="next" href="\?([^"]+)"', text)
    return (previous.group(1) if previous else None), (following.group(1) if following else None)


def _follow(client, url, query: str):
    """What pressing the key does: follow the link, and any redirect it answers with."""
    return client.get(f"{url}?{query}", follow=True)


def test_k_after_j_returns_to_the_record_passed_over(client_for, review, screeners, records_to_screen):
    client = client_for(screeners[0])
    url = reverse("screen", args=[review.pk, "ta"])
    a = client.get(url)
    item_a = a.context["item"]
    b = client.post(url, {"item": item_a.pk, "value": "include"}, follow=True)  # A decided
    item_b = b.context["item"]
    _, j = _links(b)
    c = _follow(client, url, j)  # J: pass over B
    item_c = c.context["item"]
    assert item_c.pk not in (item_a.pk, item_b.pk)
    k, _ = _links(c)
    back = _follow(client, url, k)  # K: back to B, the record passed over, not A (the last decided)
    assert back.context["item"].pk == item_b.pk
    k, j = _links(back)
    assert _follow(client, url, k).context["item"].pk == item_a.pk  # K again: A
    forward = _follow(client, url, j)  # J from B goes forward along the same history: C
    assert forward.context["item"].pk == item_c.pk


def test_the_first_record_of_a_session_offers_k_to_the_last_decision(client_for, review, screeners,
                                                                      records_to_screen):
    from tests.screening.screening.conftest import decide

    decide(review, screeners[0], records_to_screen[0], "exclude")
    client = client_for(screeners[0])
    page = client.get(reverse("screen", args=[review.pk, "ta"]))
    k, _ = _links(page)
    assert k == f"item={records_to_screen[0].pk}"
