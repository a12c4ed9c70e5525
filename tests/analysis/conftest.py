"""A review whose studies have final extractions: synthetic answers as the demo makes them
(stored directly as the consensus, which is what analyses read)."""
from __future__ import annotations

import pytest

from extraction import services as extraction_services
from extraction.demo import demo_answers
from extraction.models import Extraction
from reviewapp import services as review_services
from reviewapp.demo import DEMO_OUTCOMES
from screening.models import Study


def finalise(template, study, answers) -> Extraction:
    extraction, _ = Extraction.objects.update_or_create(
        template=template, study=study, target="",
        defaults={"review": template.review, "version": template.current_version, "status": "done",
                  "consensus": answers})
    return extraction


@pytest.fixture
def outcomes(review, people):
    return {name: review_services.outcome_create(actor=people["lead"], review=review, name=name,
                                                 direction=direction, note=note)
            for name, direction, note in DEMO_OUTCOMES}


@pytest.fixture
def template(review, people, outcomes):
    return extraction_services.template_create_builtin(actor=people["lead"], review=review)


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
def studies(review, template, outcomes):
    return add_studies(review, template, list(outcomes))
