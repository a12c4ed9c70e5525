"""The demo review: shaped like the review that inspired the project, and safe to load twice."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reviewapp.demo import DEMO_PASSWORD, DEMO_TITLE
from reviewapp.models import AuditEvent, Membership, Outcome, Review

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def without_stage_loaders(monkeypatch):
    """The review, its people and outcomes only: the stages' synthetic data (thousands of records and
    decisions) is loaded and checked, twice, in tests/screening/test_demo_and_command.py."""
    monkeypatch.setattr("reviewapp.management.commands.load_demo.stage_loaders", lambda: [])


def _counts() -> tuple:
    from django.apps import apps

    models = [m for m in apps.get_models() if m._meta.app_label in ("reviewapp", "screening", "auth")]
    return tuple((m._meta.label, m.objects.count()) for m in models)


def test_the_demo_review_has_its_protocol_people_and_outcomes():
    call_command("load_demo", verbosity=0)
    review = Review.objects.get(title=DEMO_TITLE)
    assert review.is_demo
    assert len(review.planned_database_list) == 10
    assert {"CINAHL", "EMBASE", "PsycINFO", "Scopus", "Web of Science", "MEDLINE", "PubMed",
            "Science Citation Index", "Sociological Abstracts", "Cochrane Library"} == set(review.planned_database_list)
    assert (review.search_from.isoformat(), review.search_to.isoformat()) == ("1990-01-01", "2021-09-30")
    assert review.study_design_list == ["Randomised controlled trial", "Non-randomised controlled study",
                                        "Uncontrolled pre-post study"]
    outcomes = dict(Outcome.objects.filter(review=review).values_list("name", "direction"))
    assert outcomes["Parental depression"] == "lower" and outcomes["Parental reflective functioning"] == "higher"
    assert len(outcomes) == 7
    roles = set(Membership.objects.filter(review=review).values_list("user__username", "role"))
    assert roles == {("lead", "lead"), ("reviewer1", "reviewer"), ("reviewer2", "reviewer"),
                     ("extractor", "extractor"), ("viewer", "viewer")}
    assert get_user_model().objects.get(username="reviewer1").check_password(DEMO_PASSWORD)


def test_loading_the_demo_twice_duplicates_nothing():
    call_command("load_demo", verbosity=0)
    first = _counts()
    call_command("load_demo", verbosity=0)
    assert _counts() == first
    assert AuditEvent.objects.filter(review__is_demo=True).exists()
