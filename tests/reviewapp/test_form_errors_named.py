"""Forms name their errors to screen readers.

After a bad submit, every field with an error is marked ``aria-invalid="true"`` and its
``aria-describedby`` points at an element holding the error's words, and the form's error summary
is announced (``role="alert"``). This comes from the shared form rendering (the renderer's bound
field), so a few forms of different apps stand for all of them.
"""
from __future__ import annotations

import datetime
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from extraction import services as extraction_services
from screening import services as screening_services

pytestmark = pytest.mark.django_db

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Elements(HTMLParser):
    """Every element's attributes, and the text inside each element that has an id."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[dict[str, str]] = []
        self.text_of: dict[str, str] = {}
        self._open: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        attributes["<tag>"] = tag
        self.elements.append(attributes)
        if tag in VOID:
            return
        self._open.append((tag, attributes.get("id")))
        if attributes.get("id"):
            self.text_of.setdefault(attributes["id"], "")

    def handle_endtag(self, tag):
        while self._open:
            name, _ = self._open.pop()
            if name == tag:
                break

    def handle_data(self, data):
        for _, element_id in self._open:
            if element_id:
                self.text_of[element_id] += data


def _parsed(answer) -> _Elements:
    assert answer.status_code == 200, answer.status_code
    parser = _Elements()
    parser.feed(answer.content.decode())
    return parser


def assert_errors_named(answer, expected: dict[str, str]) -> None:
    """Each field named (by its input's name) is invalid and described by its error's words; an
    error summary is announced."""
    page = _parsed(answer)
    for name, words in expected.items():
        # The form's own controls (its ids are Django's "id_<name>"; a page may hold other forms).
        controls = [e for e in page.elements if e.get("name") == name and e.get("id", "").startswith(f"id_{name}")
                    and e["<tag>"] in ("input", "select", "textarea")]
        assert controls, f"no control named {name}"
        for control in controls:
            assert control.get("aria-invalid") == "true", (name, control)
            ids = control.get("aria-describedby", "").split()
            described = " ".join(page.text_of.get(i, "") for i in ids)
            missing = [i for i in ids if i not in page.text_of]
            assert not missing, f"{name} is described by ids the page lacks: {missing}"
            assert words in described, f"{name}: {words!r} not in what describes it: {described!r}"
    alerts = [e for e in page.elements if e.get("role") == "alert" and "error-summary" in e.get("class", "")]
    assert alerts, "no error summary with role=alert"
    invalid = {e.get("name") for e in page.elements if e.get("aria-invalid") == "true"}
    assert invalid == set(expected), invalid


def test_the_protocol_form_names_its_errors(client_for, review, people):
    answer = client_for(people["lead"]).post(reverse("review_edit", args=[review.pk]), {
        "title": "", "status": "protocol", "search_from": "2020-01-01", "search_to": "2010-01-01"})
    assert_errors_named(answer, {"title": "This field is required.",
                                 "search_to": "The end of the search period is before its start."})


def test_the_invitation_form_names_its_errors_also_on_each_role_box(client_for, review, people):
    answer = client_for(people["lead"]).post(reverse("member_invite", args=[review.pk]), {"identifier": ""})
    assert_errors_named(answer, {"identifier": "This field is required.",
                                 "roles": "Choose at least one role"})


def test_the_extraction_form_builder_names_its_errors(client_for, review, people):
    lead = people["lead"]
    template = extraction_services.template_create(actor=lead, review=review, name="Trial data")
    client = client_for(lead)
    answer = client.post(reverse("form_section_new", args=[review.pk, template.pk]), {"title": ""})
    assert_errors_named(answer, {"title": "This field is required."})
    answer = client.post(reverse("form_list", args=[review.pk]), {"name": ""})
    assert_errors_named(answer, {"name": "This field is required."})


def test_the_import_upload_names_its_errors(client_for, review, people):
    lead = people["lead"]
    search = screening_services.search_create(actor=lead, review=review, database="MEDLINE", query="psychotherapy",
                                               date_run=datetime.date(2024, 5, 1))
    answer = client_for(lead).post(reverse("search_detail", args=[review.pk, search.pk]), {"format": ""})
    assert_errors_named(answer, {"file": "This field is required."})
    answer = client_for(lead).post(reverse("search_create", args=[review.pk]),
                                   {"source": "database", "database": "", "query": "x", "date_run": "not a date"})
    assert_errors_named(answer, {"database": "This field is required.", "date_run": "Enter a valid date."})
