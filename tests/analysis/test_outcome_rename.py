"""Renaming an outcome carries its name into every stored answer, so its analysis keeps its studies;
an outcome that stored answers name is not deleted; names written before (case or spacing apart) are
moved onto their outcome by the migration, and names no outcome has stay, listed for the lead."""
from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from analysis import selectors, services
from extraction import selectors as extraction_selectors
from extraction import services as extraction_services
from extraction.appraisal import services as appraisal_services
from extraction.appraisal import tools
from extraction.models import Entry, Extraction, Settlement
from reviewapp import services as review_services
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from screening.models import Study
from tests.analysis.conftest import finalise
from tests.analysis.test_inputs import means
from tests.api.test_extraction_api import ANSWERS

pytestmark = pytest.mark.django_db
RCT = "Randomised controlled trial"
NEW = "Depressive symptoms of the parent"


def included(analysis) -> list[str]:
    return [s["label"] for s in selectors.analysis_inputs(analysis=analysis).studies]


def add(review, template, label, *rows):
    study = Study.objects.create(review=review, label=label)
    finalise(template, study, {"design": RCT, "outcome_data": list(rows), "timepoints": []})
    return study


def test_the_analysis_keeps_its_studies_after_the_outcome_is_renamed(review, people, outcomes, template):
    add(review, template, "A 2001", means())
    add(review, template, "B 2002", means(i=(25, 11.0, 4.0)))
    depression = outcomes["Parental depression"]
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=depression)
    assert included(analysis) == ["A 2001", "B 2002"]

    review_services.outcome_update(actor=people["lead"], outcome=depression, name=NEW)
    analysis.refresh_from_db()
    assert included(analysis) == ["A 2001", "B 2002"]
    rows = extraction_selectors.outcome_data_rows(review=review, outcome=NEW)
    assert [r.study.label for r in rows] == ["A 2001", "B 2002"]
    event = AuditEvent.objects.filter(object_type="reviewapp.Outcome").order_by("id").last()
    assert "renamed" in event.object_label and event.after["consensus"] == 2


def test_entries_drafts_settlements_and_appraisals_follow_the_rename(review, people, outcomes, template, make_user):
    lead = people["lead"]
    a, b = people["extractor"], make_user("extractor2")
    review_services.member_roles_set(actor=lead, review=review, user=b, roles=["extractor"])
    study = Study.objects.create(review=review, label="C 2003")
    for person, outcome in ((a, "Parental depression"), (b, "Parenting stress")):  # b chose the wrong one
        extraction_services.entry_save_answers(actor=person, template=template, study=study, done=True,
                                               answers={**ANSWERS, "outcome_data": [means(outcome=outcome)]})
    extraction = Extraction.objects.get(template=template, study=study)
    extraction_services.settlement_record(actor=lead, extraction=extraction, path="outcome_data[0].outcome",
                                          choice="a")
    entry = Entry.objects.get(user=a)
    entry.draft = {"r-outcome_data-0-outcome": ["Parental depression"], "f-design": [RCT]}
    entry.save()
    appraisal_services.builtin_tools_load()
    rob2 = appraisal_services.tool_form_add(
        actor=lead, review=review, tool=apps.get_model("extraction", "AppraisalTool").objects.get(slug="rob2-parallel"))
    appraisal = extraction_services.extraction_for(template=rob2, study=study,
                                                   target=tools.target_make("Parental depression", "assignment"))

    review_services.outcome_update(actor=lead, outcome=outcomes["Parental depression"], name=NEW)
    assert [e.answers["outcome_data"][0]["outcome"] for e in Entry.objects.filter(extraction=extraction)
            ] == [NEW, "Parenting stress"]
    assert Entry.objects.get(user=a).draft["r-outcome_data-0-outcome"] == [NEW]
    assert Settlement.objects.get(extraction=extraction).value == NEW
    appraisal.refresh_from_db()
    assert appraisal.target == tools.target_make(NEW, "assignment")
    # Other outcomes' values are untouched.
    assert Entry.objects.get(user=a).answers["design"] == RCT


def test_an_outcome_with_data_is_not_deleted_and_one_without_is(review, people, outcomes, template):
    add(review, template, "A 2001", means())
    with pytest.raises(ApplicationError, match="used by the extracted data of 1 study"):
        review_services.outcome_delete(actor=people["lead"], outcome=outcomes["Parental depression"])
    assert review.outcomes.filter(name="Parental depression").exists()
    review_services.outcome_delete(actor=people["lead"], outcome=outcomes["Infant attachment"])
    assert not review.outcomes.filter(name="Infant attachment").exists()


def test_the_migration_moves_old_spellings_and_keeps_unknown_names_listed(client_for, review, people, outcomes,
                                                                        template):
    add(review, template, "A 2001", means(outcome="parental  DEPRESSION"))
    add(review, template, "B 2002", means(outcome="Maternal mood"))
    migration = importlib.import_module("extraction.migrations.0003_outcome_names_follow_outcomes")
    migration.forwards(apps, None)
    consensus = {e.study.label: e.consensus["outcome_data"][0]["outcome"] for e in Extraction.objects.all()}
    assert consensus == {"A 2001": "Parental depression", "B 2002": "Maternal mood"}
    assert [(u.name, u.studies) for u in extraction_selectors.unknown_outcome_names(review=review)] == [
        ("Maternal mood", ["B 2002"])]
    page = client_for(people["lead"]).get(reverse("extraction_home", args=[review.pk])).content.decode()
    assert "Outcome data under names the protocol does not have" in page and "Maternal mood" in page
    assert "Maternal mood" not in client_for(people["viewer"]).get(
        reverse("extraction_home", args=[review.pk])).content.decode()
    # A spelling analyses would not match is listed too (as analyses match names exactly).
    add(review, template, "C 2003", means(outcome="infant attachment"))
    assert [u.name for u in extraction_selectors.unknown_outcome_names(review=review)] == [
        "infant attachment", "Maternal mood"]
    Extraction.objects.get(study__label="C 2003").delete()
    # Renaming an outcome to the unknown name attaches its rows.
    review_services.outcome_update(actor=people["lead"], outcome=outcomes["Parenting stress"], name="Maternal mood")
    assert extraction_selectors.unknown_outcome_names(review=review) == []
