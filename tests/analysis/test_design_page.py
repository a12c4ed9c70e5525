"""The study designs page: the lead sets a study's design and edits the design mapping there, with
the services the API twins use (the same state and audit entries), and the analysis definition
shows each study's design and where it comes from."""
from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from analysis import services
from extraction.models import DesignMapping
from reviewapp.models import AuditEvent
from screening.models import Study, StudyDesign

pytestmark = pytest.mark.django_db

RCT, NRS, PREPOST = StudyDesign.RANDOMISED, StudyDesign.NON_RANDOMISED, StudyDesign.PRE_POST


def _client(person) -> Client:
    client = Client()
    client.force_login(person)
    return client


def _mapping_post(client, review, field_key: str, values: dict[str, str]):
    body = {"field_key": field_key}
    for i, (answer, design) in enumerate(values.items()):
        body[f"answer-{i}"], body[f"design-{i}"] = answer, design
    return client.post(reverse("study_designs", args=[review.pk]), body)


def test_the_page_lists_each_studys_design_and_the_mapping_answers(review, people, studies):
    page = _client(people["lead"]).get(reverse("study_designs", args=[review.pk])).content.decode()
    assert page.count('name="design-') >= len(studies) + 3  # a select per study, one per mapped answer
    assert f"<td data-label=\"Design analyses use\">{RCT}</td>" in page
    assert f'<label for="map-design-0">{RCT}</label>' in page  # the design field's first choice
    viewer_page = _client(people["viewer"]).get(reverse("study_designs", args=[review.pk])).content.decode()
    assert "Synthetic 00" in viewer_page and 'name="design-' not in viewer_page  # reads, no forms


def test_the_pages_mapping_gives_what_the_api_gives(review, people, studies):
    answer = _mapping_post(_client(people["lead"]), review, "design", {RCT: RCT, NRS: "", PREPOST: PREPOST})
    assert answer.status_code == 302
    mapping = DesignMapping.objects.get(review=review)
    assert mapping.field_key == "design" and mapping.values == {RCT: RCT, PREPOST: PREPOST}
    page = _client(people["viewer"]).get(reverse("study_designs", args=[review.pk])).content.decode()
    assert f"“{NRS}” is not mapped to a design" in page
    # The API twin reads the same mapping, and its PUT leaves the same state.
    api = _client(people["lead"])
    assert api.get(reverse("api_design_mapping", args=[review.pk])).json()["values"] == {RCT: RCT, PREPOST: PREPOST}
    api.put(reverse("api_design_mapping", args=[review.pk]), {"field_key": "design", "values": {RCT: RCT}},
            content_type="application/json")
    assert DesignMapping.objects.get(review=review).values == {RCT: RCT}
    assert AuditEvent.objects.filter(object_type="extraction.DesignMapping").count() >= 2


def test_a_bad_mapping_is_refused_with_the_reason_and_nothing_changed(review, people, studies):
    before = DesignMapping.objects.get(review=review).values
    answer = _mapping_post(_client(people["lead"]), review, "design", {RCT: "Cohort study"})
    assert answer.status_code == 400 and "Unknown design “Cohort study”" in answer.content.decode()
    unknown_field = _mapping_post(_client(people["lead"]), review, "no_such_field", {RCT: RCT})
    assert unknown_field.status_code == 400 and "no plain field “no_such_field”" in unknown_field.content.decode()
    assert DesignMapping.objects.get(review=review).values == before


def test_the_lead_sets_and_clears_study_designs_all_or_nothing(review, people, studies):
    lead = _client(people["lead"])
    url = reverse("study_designs_set", args=[review.pk])
    first, second = studies[0], studies[1]
    answer = lead.post(url, {f"design-{first.pk}": StudyDesign.OTHER, f"design-{second.pk}": NRS}, follow=True)
    assert "The designs of 2 studies are saved." in answer.content.decode()
    assert Study.objects.get(pk=first.pk).design == StudyDesign.OTHER
    assert AuditEvent.objects.filter(object_type="screening.Study", object_id=str(first.pk),
                                     after__design=StudyDesign.OTHER).exists()
    refused = lead.post(url, {f"design-{first.pk}": "", f"design-{second.pk}": "Cohort"}, follow=True)
    assert "Nothing was saved." in refused.content.decode()
    assert Study.objects.get(pk=first.pk).design == StudyDesign.OTHER  # the valid half was not kept
    lead.post(url, {f"design-{first.pk}": ""})
    assert Study.objects.get(pk=first.pk).design == ""
    assert _client(people["viewer"]).post(url, {f"design-{first.pk}": RCT}).status_code == 403


def test_the_analysis_definition_shows_each_studys_design(review, people, outcomes, studies):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])
    Study.objects.filter(pk=studies[0].pk).update(design=StudyDesign.OTHER)
    client = _client(people["viewer"])
    page = client.get(reverse("analysis_detail", args=[review.pk, analysis.pk])).content.decode()
    assert 'id="study-designs"' in page
    assert f'<td data-label="Study">{studies[0].label}</td><td data-label="Design">{StudyDesign.OTHER}</td>' \
           '<td data-label="Where it comes from">set on the study</td><td data-label="Taken">no</td>' in page
    edit = _client(people["lead"]).get(reverse("analysis_edit", args=[review.pk, analysis.pk])).content.decode()
    assert 'id="study-designs"' in edit and reverse("study_designs", args=[review.pk]) in edit
