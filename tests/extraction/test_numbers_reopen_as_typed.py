"""Numbers come back as they were typed: a whole bound typed "1" reopens as 1, not 1.0, in the field's
form, in the stored definition and in the entry form's "Allowed" line; a confidence level of 90
reopens as 90."""
from __future__ import annotations

import re

import pytest
from django.urls import reverse

from analysis import services as analysis_services
from extraction.models import FormTemplate
from reviewapp.widgets import PlainFloatField, plain_number

pytestmark = pytest.mark.django_db


def url(name, review, *args):
    return reverse(name, args=[review.pk, *args])


def input_value(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert match, f"no input {name}"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def test_plain_number_drops_only_a_whole_floats_point_zero():
    assert [plain_number(v) for v in (1.0, 100000.0, 0.5, -3.0, 7, None, 1e20)] == [1, 100000, 0.5, -3, 7, None, 1e20]
    field = PlainFloatField(required=False)
    assert 'value="90"' in field.widget.render("level", 90.0)
    assert 'value="0.25"' in field.widget.render("level", 0.25)


def test_whole_bounds_reopen_as_typed_in_the_builder_and_the_entry_form(client_for, review, people, outcomes,
                                                                       studies):
    client = client_for(people["lead"])
    client.post(url("form_list", review), {"name": "Our form"})
    template = FormTemplate.objects.get(name="Our form")
    client.post(url("form_section_new", review, template.pk), {"title": "Sample"})
    client.post(url("form_field_new", review, template.pk, "sample"),
                {"label": "Participants", "type": "integer", "min": "1", "max": "100000"})
    template.refresh_from_db()
    stored = template.draft["sections"][0]["fields"][0]
    assert (repr(stored["min"]), repr(stored["max"])) == ("1", "100000")

    page = client.get(url("form_field", review, template.pk, "sample", "participants")).content.decode()
    assert (input_value(page, "min"), input_value(page, "max")) == ("1", "100000")
    client.post(url("form_builder", review, template.pk), {"action": "publish", "note": ""})
    entry = client.get(url("entry_form", review, template.pk, studies[0].pk)).content.decode()
    assert "Allowed: from 1 to 100000." in entry


def test_a_bound_stored_as_a_float_still_shows_whole_on_the_entry_form(client_for, review, people, outcomes,
                                                                      studies):
    """Definitions published before the fix hold 1.0; the entry form shows them as typed too."""
    from extraction import services

    template = services.template_create(actor=people["lead"], review=review, name="Old form")
    template.draft = {"sections": [{"key": "sample", "title": "Sample", "help": "", "repeat": "", "fields": [
        {"key": "n", "label": "n", "type": "integer", "required": False, "help": "", "choices": [],
         "min": 1.0, "max": 100000.0, "unit": ""}]}]}
    template.save()
    services.version_publish(actor=people["lead"], template=template)
    client = client_for(people["lead"])
    entry = client.get(url("entry_form", review, template.pk, studies[0].pk)).content.decode()
    assert "Allowed: from 1 to 100000." in entry
    builder = client.get(url("form_builder", review, template.pk)).content.decode()
    assert "≥ 1 ≤ 100000" in builder and "1.0" not in builder


def test_a_confidence_level_of_90_reopens_as_90(client_for, review, people, outcomes):
    outcome = outcomes[0]
    analysis = analysis_services.analysis_create(actor=people["lead"], review=review, outcome=outcome, level=90)
    page = client_for(people["lead"]).get(url("analysis_edit", review, analysis.pk)).content.decode()
    assert input_value(page, "level") == "90"
