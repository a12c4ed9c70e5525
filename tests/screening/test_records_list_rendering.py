"""The records list's cheaper rendering shows the same text as before."""
from __future__ import annotations

import pytest
from django.template.defaultfilters import truncatechars

from screening.templatetags.record_links import clip_chars

SAMPLES = [
    "", "a", "x" * 159, "x" * 160, "x" * 161, "y" * 400,
    # combining accents do not count towards the length; NFC composes some of them
    "e\u0301" * 100, "e\u0301" * 200, "q\u0301" * 120, "q\u0301" * 170,
    # U+0958 is not composed by NFC: it decomposes to two code points
    "\u0958" * 90, "\u0958" * 170, "ends with an ellipsis…" + "z" * 150,
    # plain ASCII longer than the length, a space or an ellipsis where it is clipped
    "A trial " * 30, "x" * 59 + " " + "y" * 200, "x" * 159 + "..." + "z" * 10,
]


@pytest.mark.parametrize("text", SAMPLES)
@pytest.mark.parametrize("length", [1, 2, 60, 160])
def test_clip_chars_is_truncatechars(text, length):
    assert clip_chars(text, length) == truncatechars(text, length)


def test_clip_chars_of_nothing():
    assert clip_chars("abc", 0) == truncatechars("abc", 0) == ""
    assert clip_chars(None, 5) == truncatechars(None, 5) == "None"


@pytest.mark.django_db
def test_found_by_names_the_searches_of_merged_duplicates(review, people, client_for):
    from django.urls import reverse

    from .helpers import import_bytes, make_search, record, ris

    lead = people["lead"]
    import_bytes(make_search(review, lead), lead, ris(record(1), record(2)), "first.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(1)), "second.ris")
    html = client_for(lead).get(reverse("record_list", args=[review.pk])).content.decode()
    assert '<td data-label="Found by">Scopus<br>EMBASE</td>' in html
    assert html.count('<td data-label="Found by">Scopus</td>') == 1


@pytest.mark.django_db
def test_the_rows_link_their_records_and_statuses_and_the_filters_read_people_and_searches_once(
        review, people, client_for):
    """A record's link is built once for the page, not reversed per row, and still leads to the
    record (and a merged duplicate to its record); the filter form's lists of people and searches
    are read once each, not again at each rendering (two people lists: "Decided by" and "Assigned
    to", whose rows the selection's "Assign to" also shows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import resolve, reverse

    from reviewapp.people import display_name
    from screening.models import Record

    from .helpers import import_bytes, make_search, record, ris

    lead = people["lead"]
    import_bytes(make_search(review, lead), lead, ris(record(1), record(2)), "first.ris")
    import_bytes(make_search(review, lead, "EMBASE"), lead, ris(record(1)), "second.ris")
    client = client_for(lead)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("record_list", args=[review.pk]), {"duplicates": "show"}).content.decode()
    for record_id in (r.pk for r in Record.objects.filter(review=review)):
        link = reverse("record_detail", args=[review.pk, record_id])
        assert resolve(link).kwargs == {"review_id": review.pk, "record_id": record_id}
        assert f'<a href="{link}">' in html
    duplicate = Record.objects.get(review=review, duplicate_of__isnull=False)
    kept = reverse("record_detail", args=[review.pk, duplicate.duplicate_of_id])
    assert f'duplicate of <a href="{kept}">' in html
    sql = [q["sql"] for q in queries.captured_queries]
    # The rows read only the fields they show (`LIST_FIELDS`), and no row reads one more on its own.
    assert not [s for s in sql if '"screening_record"."id" = ' in s or '"screening_search"."id" = ' in s]
    assert sum('FROM "auth_user" INNER JOIN "reviewapp_membership"' in s for s in sql) == 2
    assert sum(s.startswith('SELECT "screening_search"') for s in sql) == 1
    assert html.count(f'<option value="{lead.pk}">{display_name(lead)}</option>') == 3
    # Each record's stage and status by their labels (read once, not rebuilt per row).
    assert html.count("<div>Title and abstract: Waiting for decisions</div>") == 2
