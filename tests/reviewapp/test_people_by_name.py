"""People are shown by their full name (else their username) on every page that shows a person,
and the API gives that name beside the usernames clients already read.

The demo's people have full names ("Rita Reviewer" is reviewer1): each page a lead opens names the
other people by them, never by their usernames. The one function is `reviewapp.people.display_name`.
"""
from __future__ import annotations

import re
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from reviewapp.people import display_name

pytestmark = pytest.mark.django_db


def test_display_name_is_the_full_name_else_the_username():
    def user(first, last, username):
        return SimpleNamespace(get_full_name=lambda: f"{first} {last}".strip(), get_username=lambda: username)

    assert display_name(user("Rita", "Reviewer", "reviewer1")) == "Rita Reviewer"
    assert display_name(user("", "", "reviewer1")) == "reviewer1"
    assert display_name(None) == ""


def _text(answer) -> str:
    """The page's words (not its markup, whose attributes and links may carry usernames)."""
    assert answer.status_code == 200, answer.status_code
    body = answer.content.decode().split("<main", 1)[-1]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body))


@pytest.fixture
def demo(loaded_demo):
    from extraction.models import Entry, FormTemplate
    from screening.models import ScreeningItem

    review = loaded_demo
    users = {u.username: u for u in get_user_model().objects.filter(review_memberships__review=review).distinct()}

    def compared(kind):
        """(template, study) of a double entry, and the two people who entered it."""
        entry = (Entry.objects.filter(extraction__template__review=review, extraction__template__kind=kind)
                 .exclude(user=users["lead"]).select_related("extraction").first())
        both = [e.user for e in entry.extraction.entries.all()]
        return (entry.extraction.template_id, entry.extraction.study_id), [display_name(u) for u in both]

    return SimpleNamespace(
        review=review, users=users,
        conflict=ScreeningItem.objects.filter(review=review, status=ScreeningItem.Status.CONFLICT).first(),
        extraction=compared(FormTemplate.Kind.EXTRACTION), appraisal=compared(FormTemplate.Kind.APPRAISAL))


def test_every_page_and_the_api_name_people_by_full_name(client, demo):
    from screening.models import Assignment

    review, users = demo.review, demo.users
    lead, rita = users["lead"], users["reviewer1"]
    assert display_name(rita) == "Rita Reviewer"
    # A record in Rita's queue (the demo has none assigned), as a lead's bulk action leaves it.
    item = review.screening_items.filter(stage="ta").exclude(decisions__reviewer=rita).first() \
        or review.screening_items.filter(stage="ta").first()
    Assignment.objects.create(review=review, item=item, reviewer=rita, assigned_by=lead)
    client.force_login(lead)
    r = review.pk
    pages = {
        "conflicts": (reverse("conflict_list", args=[r]), ["Rita Reviewer", "Ravi Reviewer"]),
        "conflict": (reverse("conflict_resolve", args=[r, demo.conflict.pk]), ["Rita Reviewer", "Ravi Reviewer"]),
        "decisions log": (reverse("decisions_log", args=[r]), ["Rita Reviewer", "Ravi Reviewer"]),
        "agreement": (reverse("agreement", args=[r]), ["Rita Reviewer and Ravi Reviewer"]),
        "team": (reverse("screening_team", args=[r]), ["Rita Reviewer"]),
        "records": (reverse("record_list", args=[r]) + "?" + urlencode({"q": item.record.title[:40]}),
                    ["assigned to Rita Reviewer"]),
        "audit trail": (reverse("audit_log", args=[r]) + "?actor=reviewer1", ["Rita Reviewer"]),
        "members": (reverse("review_members", args=[r]), ["Rita Reviewer", "Ezra Extractor"]),
        "extraction consensus": (reverse("compare", args=[r, *demo.extraction[0]]), demo.extraction[1]),
        "appraisal consensus": (reverse("appraisal_compare", args=[r, *demo.appraisal[0]]), demo.appraisal[1]),
    }
    assert {"Ezra Extractor"} <= set(demo.extraction[1]) and len(demo.appraisal[1]) == 2
    missing = {}
    for name, (path, names) in pages.items():
        text = _text(client.get(path))
        absent = [n for n in names if n not in text]
        shown_by_username = [u for u in ("reviewer1", "reviewer2", "extractor") if re.search(rf"\b{u}\b", text)
                             and name not in ("members", "team", "audit trail")]
        # (the team pages show usernames beside names; the audit trail keeps each event's own label)
        if absent or shown_by_username:
            missing[name] = (absent, shown_by_username)
    assert missing == {}, missing

    # The API gives the same names beside the usernames clients already read (one demo load for both).
    logged = client.get(reverse("api_decisions_log", args=[r]) + "?limit=500").json()["results"]
    assert {(d["reviewer"], d["reviewer_name"]) for d in logged} >= {("reviewer1", "Rita Reviewer")}
    pairs = client.get(reverse("api_screening_agreement", args=[r])).json()["pairs"]
    assert {(p["reviewer_a"], p["reviewer_a_name"]) for p in pairs} == {("reviewer1", "Rita Reviewer")}
    members = client.get(reverse("api_members", args=[r])).json()["results"]
    assert {m["username"]: m["display_name"] for m in members}["extractor"] == "Ezra Extractor"
    me = client.get(reverse("api_me")).json()
    assert (me["username"], me["display_name"]) == ("lead", "Lena Lead")


def test_someone_without_a_full_name_is_shown_by_username(client_for, review, people):
    people["reviewer"].first_name = people["reviewer"].last_name = ""
    people["reviewer"].save()
    text = _text(client_for(people["lead"]).get(reverse("review_members", args=[review.pk])))
    assert "reviewer (reviewer)" in text
