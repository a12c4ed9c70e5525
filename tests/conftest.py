"""Fixtures shared by every app's tests: people, a review where each holds one role, and the live
Celery worker of CI."""
from __future__ import annotations

import os

import pytest
from django.db import connection

from tests.support import require

ROLES = ("lead", "reviewer", "extractor", "viewer")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: sign-in failure counts (reviewapp.throttle) and
    import progress must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


def pytest_collection_modifyitems(items):
    """Mark the tests of the live worker, so `make test` runs them apart from the parallel pass."""
    for item in items:
        if "live_worker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.live_worker)


@pytest.fixture
def live_worker():
    """The real Celery worker .ci/run starts on the test database and media folder: tasks go to it
    through Redis instead of running in the test's process. Needs django_db(transaction=True)."""
    require(bool(os.environ.get("REDIS_URL")), "REDIS_URL is not set: no broker, so no live worker")
    require(os.environ.get("LIVE_WORKER_DATABASE", "") == connection.settings_dict["NAME"],
            "no live worker shares the test database (set LIVE_WORKER_DATABASE, as .ci/run does)")
    from reviewapp.celery import app

    require(bool(app.control.ping(timeout=3)), "no Celery worker answers on REDIS_URL")
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, **extra):
        return django_user_model.objects.create_user(
            username=username, password="pw-for-tests-123", email=f"{username}@example.org", **extra
        )

    return make


@pytest.fixture
def team(make_user):
    """A review with one person per role, one person holding two roles (reviewer and extractor,
    as small teams do), and an outsider who belongs to no review."""
    from reviewapp import services

    people = {role: make_user(role) for role in ROLES}
    people["outsider"] = make_user("outsider")
    review = services.review_create(creator=people["lead"], title="Parent-infant psychotherapy")
    for role in ROLES[1:]:
        services.member_roles_set(actor=people["lead"], review=review, user=people[role], roles=[role])
    people["reviewer_extractor"] = make_user("reviewer_extractor")
    services.member_roles_set(actor=people["lead"], review=review, user=people["reviewer_extractor"],
                              roles=["reviewer", "extractor"])
    return review, people


@pytest.fixture
def review(team):
    return team[0]


@pytest.fixture
def people(team):
    return team[1]


@pytest.fixture
def client_for(client):
    """A test client signed in as the given user."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI every outside part is installed, so a skip means something is missing: fail it."""
    from tests.support import in_ci

    outcome = yield
    report = outcome.get_result()
    if in_ci() and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.longrepr = f"skipped in CI, where nothing may skip: {reason}"
