"""Fixtures shared by every app's tests: people, a review where each holds one role, and the live
Celery worker of CI."""
from __future__ import annotations

import os

import pytest
from django.db import connection

from tests import snapshots
from tests.support import require

ROLES = ("lead", "reviewer", "extractor", "viewer")


def pytest_configure(config):
    from tests import flush

    flush.install()  # transactional tests emptied with DELETE, not TRUNCATE (tests/flush.py)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: sign-in failure counts (reviewapp.throttle) and
    import progress must not leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()


DEMO_FIXTURES = {"loaded_demo", "loaded_demo_searches"}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    """Mark the tests of the live worker, so `make test` runs them apart from the parallel pass; and
    put the tests of the demo in one xdist group (``--dist loadgroup``), first: one worker builds the
    demo (tests/snapshots.py) and runs them from the start of the run, while the others run the rest
    instead of waiting for it (started late, the group's minutes would be the run's tail). The demo's
    browser walks (about a minute each) are left out of the group and placed last, spread over the
    workers (pytest-django then runs them after the other database tests: the demo is built by then);
    on the demo's worker they made it the run's tail."""
    demo, walks = [], []
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "live_worker" in names:
            item.add_marker(pytest.mark.live_worker)
        if DEMO_FIXTURES & set(names):
            if item.get_closest_marker("browser"):
                walks.append(item)
            else:
                item.add_marker(pytest.mark.xdist_group("demo"))
                demo.append(item)
    placed = set(demo) | set(walks)
    items[:] = demo + [item for item in items if item not in placed] + walks
    _list_live_worker_files(items)


def _list_live_worker_files(items) -> None:
    """With LIVE_TESTS_LIST set (`make test`'s parallel pass), write there the files holding the live
    worker's tests, so the live pass collects those files instead of the whole suite again (about 15 s
    of CPU). Written by whichever process collects (each xdist worker the same list)."""
    target = os.environ.get("LIVE_TESTS_LIST")
    if not target:
        return
    files = sorted({item.nodeid.split("::")[0] for item in items if item.get_closest_marker("live_worker")})
    part = f"{target}.{os.getpid()}"
    with open(part, "w") as out:
        out.write("".join(f"{name}\n" for name in files))
    os.replace(part, target)


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


def _load_demo(loaders: list[str] | None):
    """load_demo itself, with all its stages (None) or only the given stage loaders."""
    def build():
        from django.core.management import call_command

        from reviewapp.management.commands import load_demo

        whole = load_demo.stage_loaders
        if loaders is not None:
            load_demo.stage_loaders = lambda: list(loaders)
        try:
            call_command("load_demo", verbosity=0)
        finally:
            load_demo.stage_loaders = whole

    return build


DEMO_SEARCHES_ONLY = ["screening.demo.demo_searches_load"]


@pytest.fixture(scope="session")
def _demo_contents(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        return snapshots.build_once("demo", _load_demo(None), tmp_path_factory) if snapshots.copies() else None


@pytest.fixture(scope="session")
def _demo_searches_contents(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        return (snapshots.build_once("demo-searches", _load_demo(DEMO_SEARCHES_ONLY), tmp_path_factory)
                if snapshots.copies() else None)


def _the_demo(contents, loaders):
    from reviewapp.demo import DEMO_TITLE
    from reviewapp.models import Review

    if contents is None:
        _load_demo(loaders)()
    else:
        snapshots.restore(contents)
    return Review.objects.get(is_demo=True, title=DEMO_TITLE)


@pytest.fixture
def loaded_demo(_demo_contents, db):
    """The demo review as ``load_demo`` leaves it, every stage loaded (searches, screening, extraction,
    analyses): built once per run and copied in (tests/snapshots.py)."""
    return _the_demo(_demo_contents, None)


@pytest.fixture
def loaded_demo_searches(_demo_searches_contents, db):
    """The demo review with its protocol, team, outcomes and ten imported searches only (``load_demo``
    with the searches' stage loader alone), not screened."""
    return _the_demo(_demo_searches_contents, DEMO_SEARCHES_ONLY)


def create_person(username: str, **extra):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_user(
        username=username, password="pw-for-tests-123", email=f"{username}@example.org", **extra
    )


@pytest.fixture
def make_user(db):  # a person is a row: the fixture opens the database as pytest-django's user fixture did
    return create_person


@pytest.fixture
def team(db):
    return build_team()


TEAM = (*ROLES, "outsider", "reviewer_extractor")


def build_team():
    """A review with one person per role, one person holding two roles (reviewer and extractor,
    as small teams do), and an outsider who belongs to no review."""
    from reviewapp import services

    people = {role: create_person(role) for role in ROLES}
    people["outsider"] = create_person("outsider")
    review = services.review_create(creator=people["lead"], title="Parent-infant psychotherapy")
    for role in ROLES[1:]:
        services.member_roles_set(actor=people["lead"], review=review, user=people[role], roles=[role])
    people["reviewer_extractor"] = create_person("reviewer_extractor")
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
