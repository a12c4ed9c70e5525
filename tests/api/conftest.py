"""A review with something behind every endpoint: records, a conflict, a waiting record with one
blind decision, a study, a possible duplicate pair, an invitation, a webhook, an analysis with a
queued run; and a read-write API token for each person."""
from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from analysis import services as analysis_services
from reviewapp import services as review_services
from screening import services
from screening.models import DuplicatePair, ScreeningItem, ScreeningStage
from tests.screening.helpers import import_bytes, make_search, record, ris

PEOPLE = ("lead", "reviewer", "extractor", "viewer", "reviewer_extractor", "outsider")


@dataclass
class World:
    review: object
    people: dict
    tokens: dict = field(default_factory=dict)
    ids: dict = field(default_factory=dict)


def auth(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture
def world(review, people, make_user, settings) -> World:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lead, reviewer, second = people["lead"], people["reviewer"], people["reviewer_extractor"]
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
    invitation = review_services.invitation_create(actor=lead, review=review, email="guest@example.org",
                                                   roles=["viewer"], site_url="http://testserver/")
    hook = review_services.webhook_create(actor=lead, review=review, url="http://127.0.0.1:9/hook",
                                          events=["conflict.created"])
    outcome = review_services.outcome_create(actor=lead, review=review, name="Parental depression",
                                             direction="lower", note="")
    analysis = analysis_services.analysis_create(actor=lead, review=review, outcome=outcome)
    run = analysis_services.analysis_run_request(actor=lead, analysis=analysis, enqueue=False)
    make_user("newbie")
    w = World(review=review, people=dict(people))
    for name in PEOPLE:
        _, key = review_services.api_token_create(user=people[name], name="tests", scope="read-write")
        w.tokens[name] = key
    w.ids = {"search": search.pk, "file": search_file.pk, "conflict": items[0].pk, "waiting": items[2].pk,
             "fresh": items[3].pk, "study": study.pk, "pair": pair.pk, "invitation": invitation.pk,
             "webhook": hook.pk, "analysis": analysis.pk, "run": run.pk, "record": items[6].record_id,
             "viewer": people["viewer"].pk,
             "items": [i.pk for i in items]}
    return w
