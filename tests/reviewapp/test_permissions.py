"""Who may open which review page: every role and non-members, table-driven."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.permissions import CAPABILITIES, can

pytestmark = pytest.mark.django_db

# (url name, extra kwargs) -> expected status per role, for GET.
PAGES = {
    ("review_dashboard", ()): {"lead": 200, "reviewer": 200, "extractor": 200, "viewer": 200, "reviewer_extractor": 200,
                             "outsider": 404},
    ("review_outcomes", ()): {"lead": 200, "reviewer": 200, "extractor": 200, "viewer": 200, "reviewer_extractor": 200,
                             "outsider": 404},
    ("review_members", ()): {"lead": 200, "reviewer": 200, "extractor": 200, "viewer": 200, "reviewer_extractor": 200,
                             "outsider": 404},
    ("review_edit", ()): {"lead": 200, "reviewer": 403, "extractor": 403, "viewer": 403, "reviewer_extractor": 403,
                         "outsider": 404},
    ("audit_log", ()): {"lead": 200, "reviewer": 403, "extractor": 403, "viewer": 403, "reviewer_extractor": 403,
                         "outsider": 404},
    ("audit_export", ()): {"lead": 200, "reviewer": 403, "extractor": 403, "viewer": 403, "reviewer_extractor": 403,
                         "outsider": 404},
}
CASES = [(name, role, status) for (name, _), statuses in PAGES.items() for role, status in statuses.items()]


@pytest.mark.parametrize("url_name,role,expected", CASES)
def test_page_access_by_role(client_for, review, people, url_name, role, expected):
    response = client_for(people[role]).get(reverse(url_name, args=[review.pk]))
    assert response.status_code == expected


def test_a_review_that_does_not_exist_looks_like_one_you_cannot_see(client_for, review, people):
    client = client_for(people["outsider"])
    hidden = client.get(reverse("review_dashboard", args=[review.pk]))
    missing = client.get(reverse("review_dashboard", args=[review.pk + 1000]))
    assert hidden.status_code == missing.status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, review):
    response = client.get(reverse("review_dashboard", args=[review.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_lists_only_the_reviews_you_belong_to(client_for, review, people, make_user):
    from reviewapp import services

    other = services.review_create(creator=make_user("someone"), title="A review about sleep")
    page = client_for(people["viewer"]).get(reverse("home")).content.decode()
    assert review.title in page and other.title not in page
    page = client_for(people["outsider"]).get(reverse("home")).content.decode()
    assert review.title not in page and "not a member of any review" in page


# POST actions: only the lead may change the protocol, outcomes and team.
POSTS = [
    ("review_edit", {"title": "Changed", "status": "protocol"}),
    ("review_outcomes", {"name": "Sleep", "direction": "higher"}),
    ("review_members", {"identifier": "outsider", "roles": ["viewer"]}),
]


@pytest.mark.parametrize("role,expected", [("reviewer", 403), ("extractor", 403), ("viewer", 403),
                                           ("reviewer_extractor", 403), ("outsider", 404)])
@pytest.mark.parametrize("url_name,data", POSTS)
def test_only_the_lead_changes_review_settings(client_for, review, people, role, expected, url_name, data):
    before = (review.title, review.outcomes.count(), review.memberships.count())
    response = client_for(people[role]).post(reverse(url_name, args=[review.pk]), data)
    assert response.status_code == expected
    review.refresh_from_db()
    assert (review.title, review.outcomes.count(), review.memberships.count()) == before


@pytest.mark.parametrize("url_name,data", POSTS)
def test_the_lead_changes_review_settings(client_for, review, people, url_name, data):
    response = client_for(people["lead"]).post(reverse(url_name, args=[review.pk]), data)
    assert response.status_code == 302


# The capability table itself: what each role grants.
EXPECTED_CAPABILITIES = {
    "lead": set(CAPABILITIES),
    "reviewer": {"view", "export_records", "screen"},
    "extractor": {"view", "export_records", "extract"},
    "viewer": {"view", "export_records"},
}


@pytest.mark.parametrize("role", sorted(EXPECTED_CAPABILITIES))
def test_capabilities_of_each_role(role):
    granted = {cap for cap in CAPABILITIES if can(roles={role}, capability=cap)}
    assert granted == EXPECTED_CAPABILITIES[role]


def test_several_roles_add_up():
    granted = {cap for cap in CAPABILITIES if can(roles={"reviewer", "extractor"}, capability=cap)}
    assert granted == {"view", "export_records", "screen", "extract"}


def test_unknown_capability_is_a_programming_error():
    with pytest.raises(ValueError):
        can(roles={"lead"}, capability="fly")
