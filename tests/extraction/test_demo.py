"""The demo's extraction data: every study settled, designs in the intended proportions, synthetic
and marked so, effects computable, and loading twice changes nothing."""
from __future__ import annotations

from collections import Counter

import pytest

from extraction import outcome_data
from extraction.demo import SYNTHETIC_NOTE, demo_extraction_load
from extraction.models import Extraction
from reviewapp import services as review_services
from reviewapp.demo import DEMO_OUTCOMES
from reviewapp.models import AuditEvent
from screening.models import Study

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_like(review, people):
    for name, direction, note in DEMO_OUTCOMES:
        review_services.outcome_create(actor=people["lead"], review=review, name=name, direction=direction, note=note)
    for n in range(22):
        Study.objects.create(review=review, label=f"Synthetic {n:02d}")
    return review


def test_every_study_gets_a_final_consensus_with_outcome_data(demo_like, people):
    demo_extraction_load(review=demo_like, lead=people["lead"])
    extractions = list(Extraction.objects.filter(review=demo_like))
    assert len(extractions) == 22 and {e.status for e in extractions} == {"done"}
    designs = Counter(e.consensus["design"] for e in extractions)
    assert designs == {"Randomised controlled trial": 10, "Non-randomised controlled study": 4,
                       "Uncontrolled pre-post study": 8}
    directions = {name: direction == "higher" for name, direction, _ in DEMO_OUTCOMES}
    measured = set()
    for e in extractions:
        assert e.consensus["notes"] == SYNTHETIC_NOTE
        pre_post = e.consensus["design"] == "Uncontrolled pre-post study"
        for row in e.consensus["outcome_data"]:
            measured.add(row["outcome"])
            assert (row["data_type"] == outcome_data.PREPOST) == pre_post
            effect = outcome_data.row_effect(row, higher_favours_intervention=directions[row["outcome"]])
            assert effect.complete, effect.missing
        assert len({r["outcome"] for r in e.consensus["outcome_data"]}) < len(DEMO_OUTCOMES)
    assert measured == set(directions)


def test_loading_twice_changes_nothing(demo_like, people):
    demo_extraction_load(review=demo_like, lead=people["lead"])
    events = AuditEvent.objects.count()
    demo_extraction_load(review=demo_like, lead=people["lead"])
    assert AuditEvent.objects.count() == events
