"""A study's design is explicit: the lead sets it on the study, or maps an extraction field's
answers onto designs; analyses count a study by it, the definition page says how many enter, and
the migration's mapping keeps the results analyses had before."""
from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from analysis import selectors, services
from extraction import services as extraction_services
from extraction.models import DesignMapping
from reviewapp import services as review_services
from reviewapp.models import AuditEvent
from screening.models import Study, StudyDesign

pytestmark = pytest.mark.django_db

RCT, NRS, PREPOST = StudyDesign.RANDOMISED, StudyDesign.NON_RANDOMISED, StudyDesign.PRE_POST


@pytest.fixture
def analysis(review, people, outcomes, studies):
    return services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])


def _designs(analysis) -> dict[str, str]:
    inputs = selectors.analysis_inputs(analysis=analysis)
    return {s["label"]: s["design"] for s in inputs.studies}


def test_the_built_in_form_stores_its_design_mapping(review, template):
    mapping = DesignMapping.objects.get(review=review)
    assert mapping.field_key == "design" and mapping.values == {d: d for d in (RCT, NRS, PREPOST)}


def test_the_migrations_mapping_keeps_the_results_analyses_had(analysis, review):
    """Before designs were explicit, analyses read the field keyed "design" as it is: the mapping
    the migration stores gives the very same inputs (and so results and hash)."""
    DesignMapping.objects.filter(review=review).delete()
    before = selectors.analysis_inputs(analysis=analysis)
    migration = importlib.import_module("extraction.migrations.0005_study_design")
    migration.map_the_design_field(apps, None)
    assert DesignMapping.objects.get(review=review).field_key == "design"
    after = selectors.analysis_inputs(analysis=analysis)
    assert after.hash == before.hash and len(after.studies) >= 2
    assert {s["design"] for s in after.studies} <= {RCT, NRS}


def test_a_mapping_and_the_leads_setting_decide_which_studies_count(analysis, review, people):
    lead = people["lead"]
    counted = _designs(analysis)
    assert set(counted.values()) == {RCT, NRS}
    # Only randomised trials are mapped now: the non-randomised studies are of unknown design.
    extraction_services.design_mapping_set(actor=lead, review=review, field_key="design", values={RCT: RCT})
    only_rct = _designs(analysis)
    assert set(only_rct.values()) == {RCT} and len(only_rct) < len(counted)
    reasons = [e["reason"] for e in selectors.analysis_inputs(analysis=analysis).excluded]
    assert any("“Non-randomised controlled study” is not mapped to a design" in r for r in reasons)
    # The lead says one of them is a non-randomised controlled study after all: it counts again.
    label = next(name for name in counted if name not in only_rct)
    study = Study.objects.get(review=review, label=label)
    review_services_api = Client()
    review_services_api.force_login(lead)
    response = review_services_api.patch(reverse("api_study", args=[review.pk, study.pk]), {"design": NRS},
                                         content_type="application/json")
    assert response.status_code == 200 and response.json()["design"] == NRS
    assert _designs(analysis)[label] == NRS
    assert AuditEvent.objects.filter(object_type="screening.Study", object_id=str(study.pk),
                                     after__design=NRS).exists()


def test_the_definition_page_says_how_many_studies_enter(analysis, review, people):
    client = Client()
    client.force_login(people["viewer"])
    page = client.get(reverse("analysis_detail", args=[review.pk, analysis.pk])).content.decode()
    # Of the demo's cycle of 33 designs, 15 randomised and 6 non-randomised (controlled: 21).
    assert "designs: Randomised controlled trial, Non-randomised controlled study (21 of 33 studies;" in page
    assert "read from the field “Design”" in page


def test_design_api_rules(review, people, template, studies):
    study = studies[0]
    keys = {name: review_services.api_token_create(user=people[name], name="t", scope="read-write")[1]
            for name in ("lead", "viewer")}

    def call(method, url, person, body=None):
        return getattr(Client(), method)(url, body, content_type="application/json",
                                         HTTP_AUTHORIZATION=f"Token {keys[person]}")

    study_url = reverse("api_study", args=[review.pk, study.pk])
    assert call("patch", study_url, "viewer", {"design": RCT}).status_code == 403
    refused = call("patch", study_url, "lead", {"design": "Cohort"})
    assert refused.status_code == 400 and refused.json()["field"] == "design"
    mapping_url = reverse("api_design_mapping", args=[review.pk])
    shown = call("get", mapping_url, "viewer").json()
    assert shown["field_key"] == "design" and shown["stored"] is True
    assert call("put", mapping_url, "viewer", {"field_key": "design", "values": {}}).status_code == 403
    unknown = call("put", mapping_url, "lead", {"field_key": "sex", "values": {}})
    assert unknown.status_code == 400 and "no plain field “sex”" in unknown.json()["detail"]
    done = call("put", mapping_url, "lead", {"field_key": "design", "values": {RCT: RCT, NRS: StudyDesign.OTHER}})
    assert done.status_code == 200 and done.json()["values"] == {RCT: RCT, NRS: StudyDesign.OTHER}
