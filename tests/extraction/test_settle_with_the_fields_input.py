"""Settling a difference offers the same kind of input as the entry form: a date picker for a date
(the browser sends 2019-03-05 whatever the person's locale shows), a number box for numbers and the
field's own choices for a fixed choice."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from extraction import services
from extraction.models import Extraction

pytestmark = pytest.mark.django_db

DEFINITION = {"sections": [{"key": "study", "title": "Study", "help": "", "repeat": "", "fields": [
    {"key": "started", "label": "Recruitment started", "type": "date", "required": False, "help": "",
     "choices": [], "min": None, "max": None, "unit": ""},
    {"key": "n", "label": "Participants", "type": "integer", "required": False, "help": "",
     "choices": [], "min": None, "max": None, "unit": ""},
    {"key": "blinded", "label": "Blinded", "type": "ynu", "required": False, "help": "",
     "choices": [], "min": None, "max": None, "unit": ""},
]}]}


@pytest.fixture
def differing(review, people, outcomes, studies, extractors):
    template = services.template_create(actor=people["lead"], review=review, name="Dates")
    template.draft = DEFINITION
    template.save()
    services.version_publish(actor=people["lead"], template=template)
    answers = [("2019-03-05", 40, "Yes"), ("2019-05-03", 42, "No")]
    for person, (started, n, blinded) in zip(extractors, answers, strict=True):
        services.entry_save_answers(actor=person, template=template, study=studies[0], done=True,
                                    answers={"started": started, "n": n, "blinded": blinded})
    return template, Extraction.objects.get(template=template, study=studies[0])


def other_input(page: str, label: str) -> str:
    match = re.search(rf'<(input|select)[^>]*name="other"[^>]*aria-label="Another value for Study · {label}"[^>]*>',
                      page)
    assert match, f"no settle box for {label}"
    return match.group(0)


def test_each_difference_offers_the_fields_own_input(client_for, review, people, studies, differing):
    template, _ = differing
    page = client_for(people["lead"]).get(reverse("compare", args=[review.pk, template.pk, studies[0].pk]))
    page = page.content.decode()
    assert 'type="date"' in other_input(page, "Recruitment started")
    assert 'inputmode="decimal"' in other_input(page, "Participants")
    select = other_input(page, "Blinded")
    assert select.startswith("<select")
    assert "<option>Unclear</option>" in page.split(select, 1)[1].split("</select>", 1)[0]


def test_a_date_from_the_picker_settles_the_difference(client_for, review, people, studies, differing):
    template, extraction = differing
    client = client_for(people["lead"])
    compare = reverse("compare", args=[review.pk, template.pk, studies[0].pk])
    client.post(compare, {"action": "settle", "path": "started", "choice": "other", "other": "2019-04-01"})
    client.post(compare, {"action": "settle", "path": "n", "choice": "a"})
    client.post(compare, {"action": "settle", "path": "blinded", "choice": "other", "other": "Unclear"})
    client.post(compare, {"action": "finalise"})
    extraction.refresh_from_db()
    assert extraction.consensus == {"started": "2019-04-01", "n": 40, "blinded": "Unclear"}
