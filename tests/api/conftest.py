"""A review with something behind every endpoint: records, a conflict, a waiting record with one
blind decision, a study, a possible duplicate pair, an invitation, a webhook, an analysis with a
queued run, extractions and appraisals of the study in each state (in progress, awaiting consensus
with a difference, settled, final); and a read-write API token for each person."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import pytest

from analysis import services as analysis_services
from extraction import services as extraction_services
from extraction.appraisal import services as appraisal_services
from reviewapp import services as review_services
from reviewapp.archive import services as archive_services
from reviewapp.versions.services import version_publish
from screening import services
from screening.models import DuplicatePair, ScreeningItem, ScreeningStage
from tests import snapshots
from tests.conftest import TEAM, build_team, create_person
from tests.screening.helpers import import_bytes, make_search, record, ris

# The smallest file the full-text check takes for a PDF (its content starts like one).
FULLTEXT_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PEOPLE = ("lead", "reviewer", "extractor", "viewer", "reviewer_extractor", "outsider")


@dataclass
class World:
    review: object
    people: dict
    tokens: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(scope="session")
def _world_snapshot(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world below, built once per run in a transaction as a test builds it (tests/snapshots.py),
    with its API keys (stored hashed: kept beside the rows), its ids and the files it wrote."""
    def build():
        from django.test import TestCase, override_settings

        review, people = build_team()
        with override_settings(EMAIL_BACKEND=LOCMEM_EMAIL), snapshots.files_written() as files:
            built = _build_world(review, people, create_person, TestCase.captureOnCommitCallbacks)
        return built.tokens, built.ids, files

    with django_db_blocker.unblock():
        return (snapshots.build_once_keeping("api-world", build, tmp_path_factory, committed=False)
                if snapshots.copies() else None)


@pytest.fixture
def team(request, db, _world_snapshot):
    """The usual team (tests/conftest.py); for a test of the world, the world's copy of it."""
    if "world" not in request.fixturenames or _world_snapshot is None:
        return build_team()
    from django.contrib.auth import get_user_model

    from reviewapp.models import Review

    contents, (_, _, files) = _world_snapshot
    snapshots.restore(contents)
    snapshots.put_back(files)
    return Review.objects.get(), {name: get_user_model().objects.get(username=name) for name in TEAM}


@pytest.fixture
def world(review, people, make_user, settings, django_capture_on_commit_callbacks, _world_snapshot) -> World:
    """The review described at the top: built once per run and copied into each test's database
    (``team``) where the database can (PostgreSQL), else built here."""
    settings.EMAIL_BACKEND = LOCMEM_EMAIL
    if _world_snapshot is None:
        return _build_world(review, people, make_user, django_capture_on_commit_callbacks)
    _, (tokens, ids, _) = _world_snapshot
    return World(review=review, people=dict(people), tokens=dict(tokens), ids=copy.deepcopy(ids))


def _build_world(review, people, make_user, capture_on_commit) -> World:
    lead, reviewer, second = people["lead"], people["reviewer"], people["reviewer_extractor"]
    # A published version (v1) before anything was searched: every search since belongs to the update,
    # so the PRISMA counts are the review's whole (tests/screening/test_prisma_update.py tests the shape).
    with capture_on_commit(execute=True):  # its archive written by the "worker"
        published = version_publish(actor=lead, review=review, note="The first publication")
    search = make_search(review, lead)
    search_file = import_bytes(search, lead, ris(*(record(n) for n in range(1, 11))), "scopus.ris")
    items = list(ScreeningItem.objects.filter(review=review, stage=ScreeningStage.TITLE_ABSTRACT).order_by("id"))
    decide = services.decision_record
    # Item 0: in conflict. Item 1: included at title/abstract and full text, so a study. Item 2: one
    # blind decision by the reviewer, still waiting. Items 3+: untouched.
    decide(actor=reviewer, review=review, item_id=items[0].pk, value="include")
    decide(actor=second, review=review, item_id=items[0].pk, value="exclude")
    for person in (reviewer, second):
        decide(actor=person, review=review, item_id=items[1].pk, value="include")
    ft = ScreeningItem.objects.get(record_id=items[1].record_id, stage=ScreeningStage.FULL_TEXT)
    for person in (reviewer, second):
        decide(actor=person, review=review, item_id=ft.pk, value="include")
    decide(actor=reviewer, review=review, item_id=items[2].pk, value="exclude")
    study = review.studies.get()
    pair = DuplicatePair.objects.create(review=review, record_a_id=items[4].record_id,
                                        record_b_id=items[5].record_id, score=0.8, reasons=["similar titles"])
    invitation = review_services.invitation_create(actor=lead, review=review, identifier="guest@example.org",
                                                   roles=["viewer"], site_url="http://testserver/")
    hook = review_services.webhook_create(actor=lead, review=review, url="http://127.0.0.1:9/hook",
                                          events=["conflict.created"])
    outcome = review_services.outcome_create(actor=lead, review=review, name="Parental depression",
                                             direction="lower", note="")
    analysis = analysis_services.analysis_create(actor=lead, review=review, outcome=outcome)
    run = analysis_services.analysis_run_request(actor=lead, analysis=analysis, enqueue=False)
    # A full text on a record, so the API can download it.
    services.fulltext_upload(actor=lead, record=items[6].record, upload=FULLTEXT_PDF, filename="trial.pdf")
    make_user("newbie")
    forms, tools = extraction_world(review, lead, people, study)
    w = World(review=review, people=dict(people))
    for name in PEOPLE:
        _, key = review_services.api_token_create(user=people[name], name="tests", scope="read-write")
        w.tokens[name] = key
    with capture_on_commit(execute=True):  # a finished archive, written by the "worker"
        archive = archive_services.archive_export_request(actor=lead, review=review)
    w.ids = {"archive": archive.pk, "review_version": published.number,
             "search": search.pk, "file": search_file.pk, "conflict": items[0].pk,
             "waiting": items[2].pk,
             "fresh": items[3].pk, "study": study.pk, "pair": pair.pk, "invitation": invitation.pk,
             "webhook": hook.pk, "analysis": analysis.pk, "run": run.pk, "outcome": outcome.pk,
             "record": items[6].record_id,
             "viewer": people["viewer"].pk, "screener": people["reviewer"].pk, "version": 1, **forms, **tools,
             "items": [i.pk for i in items]}
    return w


# A small form: one choice (required) and one number, so entries are quick to make done.
SMALL_FORM = {"sections": [{"key": "about", "title": "About", "repeat": "", "help": "", "fields": [
    {"key": "design", "label": "Design", "type": "single", "required": True, "help": "",
     "choices": ["Randomised", "Other"], "min": None, "max": None, "unit": ""},
    {"key": "n", "label": "Participants", "type": "integer", "required": False, "help": "", "choices": [],
     "min": 1, "max": None, "unit": ""}]}]}


def _small_form(review, lead, name: str):
    template = extraction_services.template_create(actor=lead, review=review, name=name, definition=SMALL_FORM)
    extraction_services.version_publish(actor=lead, template=template)
    return template


def _custom_tool(review, lead, name: str):
    return appraisal_services.custom_tool_save(actor=lead, review=review, name=name, level="study",
                                               answers=["Yes", "No"], scale=["Low", "High"],
                                               domains_text="Selection\n- Were the groups comparable?")


def _answers(**answers) -> dict:
    return answers


def extraction_world(review, lead, people, study) -> tuple[dict, dict]:
    """On the one study: the built-in form with the lead's entry in progress (and a field added to
    its draft); forms whose pair of
    entries awaits consensus with a difference (extractor and reviewer_extractor), awaits it with
    none (the lead and reviewer_extractor), and is final. Likewise four custom appraisal tools."""
    extractor, second = people["extractor"], people["reviewer_extractor"]
    builtin = extraction_services.template_create_builtin(actor=lead, review=review)
    extraction_services.entry_save(actor=lead, template=builtin, study=study,
                                   answers=_answers(design="Randomised controlled trial"))
    # A field added to the draft since version 1, so the draft can be published.
    extraction_services.draft_field_save(actor=lead, template=builtin, section_key="sample", field_key=None,
                                         label="Funder", type="text")
    forms = {"form": builtin.pk, "section": "sample", "field": "funder", "extractor_user": extractor.pk}
    states = (("extraction", extractor, second, 12), ("extraction_settled", lead, second, 10),
              ("extraction_done", lead, second, 10))
    for key, a, b, n_b in states:
        template = _small_form(review, lead, key.replace("_", " ").capitalize())
        for person, n in ((a, 10), (b, n_b)):
            extraction_services.entry_save(actor=person, template=template, study=study,
                                           answers=_answers(design="Randomised", n=n), done=True)
        extraction = template.extractions.get()
        if key == "extraction_done":
            extraction_services.consensus_finalise(actor=lead, extraction=extraction)
        forms[key], forms[f"form_{key}"] = extraction.pk, template.pk
    tool = _custom_tool(review, lead, "Checklist in progress")
    appraisal_services.appraisal_save(actor=lead, template=tool, study=study, target="", answers=_answers(q1_1="Yes"))
    tools = {"tool": tool.pk, "appraisers": [extractor.pk, second.pk]}
    states = (("appraisal", extractor, second, "No"), ("appraisal_settled", lead, second, "Yes"),
              ("appraisal_done", lead, second, "Yes"))
    for key, a, b, answer_b in states:
        template = _custom_tool(review, lead, key.replace("_", " ").capitalize())
        for person, answer in ((a, "Yes"), (b, answer_b)):
            appraisal_services.appraisal_save(actor=person, template=template, study=study, target="",
                                              answers=_answers(q1_1=answer, d1_judgement="Low"), done=True)
        appraisal = template.extractions.get()
        if key == "appraisal_done":
            extraction_services.consensus_finalise(actor=lead, extraction=appraisal)
        tools[key], tools[f"tool_{key}"] = appraisal.pk, template.pk
    return forms, tools
