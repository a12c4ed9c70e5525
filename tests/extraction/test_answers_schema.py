"""Each published form version serves the JSON Schema of its answers: the answers the app stores
validate against it, and answers the app would refuse (a choice not offered, a number out of
range, a row field that does not exist) do not."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator

from extraction import services
from extraction.answers_schema import answers_schema
from extraction.demo import demo_answers
from reviewapp import services as review_services
from reviewapp.demo import DEMO_OUTCOMES
from screening.models import Study

FORM = {"sections": [
    {"key": "about", "title": "About", "repeat": "", "help": "", "fields": [
        {"key": "design", "label": "Design", "type": "single", "required": True, "help": "",
         "choices": ["Randomised", "Other"], "min": None, "max": None, "unit": ""},
        {"key": "dose", "label": "Dose", "type": "decimal", "required": False, "help": "", "choices": [],
         "min": 0, "max": 100, "unit": "mg"},
        {"key": "started", "label": "Started", "type": "date", "required": False, "help": "", "choices": []}]},
    {"key": "arms", "title": "Arms", "repeat": "Arm", "help": "", "fields": [
        {"key": "n", "label": "Participants", "type": "integer", "required": True, "help": "", "choices": [],
         "min": 1, "max": None, "unit": ""},
        {"key": "tools", "label": "Tools", "type": "multiple", "required": False, "help": "",
         "choices": ["Video", "Diary"], "min": None, "max": None, "unit": ""}]}]}


def _errors(schema, answers) -> list[str]:
    return [e.message for e in Draft202012Validator(schema).iter_errors(answers)]


def test_types_units_choices_ranges_and_repeating_groups():
    schema = answers_schema(definition=FORM, outcome_names=[], title="A form")
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["dose"]["anyOf"][0] == {"type": "number", "minimum": 0, "maximum": 100,
                                                       "x-unit": "mg"}
    assert schema["x-required-when-done"] == ["design", "arms[].n"]
    good = {"design": "Randomised", "dose": 12.5, "started": "2024-02-01", "arms": [{"n": 20, "tools": ["Video"]},
                                                                                   {"n": 21, "tools": None}]}
    assert _errors(schema, good) == []
    assert _errors(schema, {"design": None}) == []  # a draft leaves fields empty
    for bad in ({"design": "Cohort"}, {"dose": 101}, {"dose": "twelve"}, {"arms": [{"n": 0}]},
                {"arms": [{"n": 2.5}]}, {"arms": [{"tools": ["Phone"]}]}, {"arms": [{"arm_size": 3}]},
                {"unknown": 1}):
        assert _errors(schema, bad), bad


@pytest.mark.django_db
def test_the_builtin_form_schema_accepts_the_demo_answers_and_is_served(review, people):
    lead = people["lead"]
    names = [name for name, _d, _n in DEMO_OUTCOMES]
    for name, direction, note in DEMO_OUTCOMES:
        review_services.outcome_create(actor=lead, review=review, name=name, direction=direction, note=note)
    template = services.template_create_builtin(actor=lead, review=review)
    url = reverse("api_extraction_form_version_answers_schema", args=[review.pk, template.pk, 1])
    _, key = review_services.api_token_create(user=people["viewer"], name="schema", scope="read")
    response = Client().get(url, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    schema = response.json()
    Draft202012Validator.check_schema(schema)
    for index in range(6):  # every design of the demo's cycle, with outcome rows
        study = Study.objects.create(review=review, label=f"Synthetic {index}")
        assert _errors(schema, demo_answers(study, index, names)) == []
    version = Client().get(reverse("api_extraction_form_version", args=[review.pk, template.pk, 1]),
                           HTTP_AUTHORIZATION=f"Token {key}").json()
    assert version["answers_schema"] == url
    _, outsider = review_services.api_token_create(user=people["outsider"], name="schema", scope="read")
    assert Client().get(url, HTTP_AUTHORIZATION=f"Token {outsider}").status_code == 404
