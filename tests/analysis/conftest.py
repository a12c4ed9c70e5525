"""A review whose studies have final extractions: synthetic answers as the demo makes them
(stored directly as the consensus, which is what analyses read)."""
from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pytest

from extraction import services as extraction_services
from extraction.demo import demo_answers
from extraction.models import Extraction
from reviewapp import services as review_services
from reviewapp.demo import DEMO_OUTCOMES
from screening.models import Study
from tests import snapshots
from tests.conftest import TEAM, build_team


def finalise(template, study, answers) -> Extraction:
    extraction, _ = Extraction.objects.update_or_create(
        template=template, study=study, target="",
        defaults={"review": template.review, "version": template.current_version, "status": "done",
                  "consensus": answers})
    return extraction


def make_outcomes(review, people) -> dict:
    return {name: review_services.outcome_create(actor=people["lead"], review=review, name=name,
                                                 direction=direction, note=note)
            for name, direction, note in DEMO_OUTCOMES}


@pytest.fixture
def copied():
    """A world a test module built once per run and copied into this test (``world_once``,
    ``copied_world``; the module overrides this fixture), or None: the fixtures below then build
    their parts, as for any test."""
    return None


@pytest.fixture
def team(copied, db):
    return (copied.review, copied.people) if copied else build_team()


@pytest.fixture
def outcomes(copied, review, people):
    return copied.outcomes if copied else make_outcomes(review, people)


@pytest.fixture
def template(copied, review, people, outcomes):
    return copied.template if copied else extraction_services.template_create_builtin(actor=people["lead"],
                                                                                      review=review)


def add_studies(review, template, names: list[str], count: int = 33) -> list[Study]:
    """``count`` studies with a final consensus, designs in the demo's cycle (of 33: 15 randomised,
    6 non-randomised, 12 pre-post)."""
    made = []
    for index in range(count):
        study = Study.objects.create(review=review, label=f"Synthetic {index:02d}")
        finalise(template, study, demo_answers(study, index, names))
        made.append(study)
    return made


@pytest.fixture
def studies(copied, review, template, outcomes):
    return copied.studies if copied else add_studies(review, template, list(outcomes))


# ---------------------------------------------------------------- a world built once per run

class World(NamedTuple):
    review: object
    people: dict
    outcomes: dict
    template: object
    studies: list


def world_once(name: str, finish: Callable[[World], None], django_db_blocker, tmp_path_factory):
    """The team, the demo's outcomes, the built-in template and 33 studies, then ``finish``: built
    once per run in a transaction, as a test's fixtures build them (tests/snapshots.py); None where
    the database cannot copy it (SQLite), so each test builds its own. For a session fixture."""
    def build():
        review, people = build_team()
        outcomes = make_outcomes(review, people)
        template = extraction_services.template_create_builtin(actor=people["lead"], review=review)
        finish(World(review, people, outcomes, template, add_studies(review, template, list(outcomes))))

    with django_db_blocker.unblock():
        return (snapshots.build_once(name, build, tmp_path_factory, committed=False)
                if snapshots.copies() else None)


def once_per_run(name: str, finish: Callable[[World, Callable], None], wanted: str):
    """A module's two fixtures for the tests that ask for the fixture ``wanted``: ``world_contents``,
    the world ``world_once`` built with ``finish(world, capture_on_commit)``, and ``copied``, that
    world copied in; None for the module's other tests (and on SQLite), whose fixtures build what
    they ask for. Assign both to module names (each module's world is its own)."""
    @pytest.fixture(scope="session")
    def world_contents(django_db_setup, django_db_blocker, tmp_path_factory):
        from django.test import TestCase

        return world_once(name, lambda world: finish(world, TestCase.captureOnCommitCallbacks),
                          django_db_blocker, tmp_path_factory)

    @pytest.fixture
    def copied(request, db, world_contents):
        if wanted in request.fixturenames and world_contents is not None:
            return copied_world(world_contents)
        return None

    return world_contents, copied


def finished_runs(world: World, names, capture_on_commit) -> None:
    """One analysis per outcome of ``names``, run to its end by the lead."""
    from analysis import services

    lead = world.people["lead"]
    for name in names:
        analysis = services.analysis_create(actor=lead, review=world.review, outcome=world.outcomes[name])
        with capture_on_commit(execute=True):
            run = services.analysis_run_request(actor=lead, analysis=analysis)
        run.refresh_from_db()
        assert run.status == "done", run.error


def copied_world(contents) -> World:
    """The world ``world_once`` built, copied into this test's database (same ids)."""
    from django.contrib.auth import get_user_model

    from extraction.builtin import BUILTIN_NAME
    from reviewapp.models import Review

    snapshots.restore(contents)
    review = Review.objects.get()
    people = {name: get_user_model().objects.get(username=name) for name in TEAM}
    return World(review, people, {name: review.outcomes.get(name=name) for name, _, _ in DEMO_OUTCOMES},
                 review.form_templates.get(name=BUILTIN_NAME), list(Study.objects.filter(review=review).order_by("id")))
