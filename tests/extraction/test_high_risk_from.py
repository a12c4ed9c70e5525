"""Where high risk starts on a custom tool's scale (``high_risk_from``): the lead sets it on the
tool's page or through the API, a wrong level is refused with the reason, the change is audited,
and the analyses, GRADE and the figures read it."""
from __future__ import annotations

import pytest
from django.urls import reverse

from extraction import selectors as extraction_selectors
from extraction import services as extraction_services
from extraction.appraisal import figures, services, tools
from extraction.appraisal import selectors as appraisal_selectors
from extraction.models import Extraction, FormTemplate
from reviewapp import services as review_services
from reviewapp.models import AuditEvent
from tests.api.conftest import auth
from tests.extraction import conftest as extraction_fixtures

extractors, studies = extraction_fixtures.extractors, extraction_fixtures.studies
SCALE = ["fine", "unsure", "bad"]
DOMAINS = "Sample\n- Representative?"


def token(user) -> dict:
    return auth(review_services.api_token_create(user=user, name="tests", scope="read-write")[1])


def page_post(client, review, template=None, **changes):
    data = {"name": "Our scale", "level": "study", "answers": "Yes\nNo", "scale": "\n".join(SCALE),
            "domains_text": DOMAINS, **changes}
    name, args = ("appraisal_custom_tool", [review.pk, template.pk]) if template else ("appraisal_custom_tool_new",
                                                                                       [review.pk])
    return client.post(reverse(name, args=args), data)


def test_the_lead_sets_where_high_risk_starts_on_the_tools_page(client_for, review, people, studies, extractors):
    client = client_for(people["lead"])
    refused = page_post(client, review, high_risk_from="awful").content.decode()
    assert "High risk must start at one of the judgement levels (fine, unsure, bad); “awful” is not one" in refused
    refused = page_post(client, review, high_risk_from="fine").content.decode()
    assert "High risk cannot start at the best level, “fine”" in refused
    assert not FormTemplate.objects.filter(review=review, name="Our scale").exists()

    assert page_post(client, review, high_risk_from="unsure").status_code == 302
    template = FormTemplate.objects.get(review=review, name="Our scale")
    tool = appraisal_selectors.tool_definition(template)
    assert tool["high_risk_from"] == "unsure" and tools.high_risk_levels(tool) == ["unsure", "bad"]
    edit = client.get(reverse("appraisal_custom_tool", args=[review.pk, template.pk])).content.decode()
    assert 'name="high_risk_from"' in edit and 'value="unsure"' in edit
    event = AuditEvent.objects.filter(review=review, object_label__contains="where high risk starts").get()
    assert event.after["high_risk_from"] == "unsure" and event.after["high_risk_levels"] == ["unsure", "bad"]

    # an "unsure" judgement now counts as high risk for the analyses and draws red in the figures
    for appraiser in extractors:
        services.appraisal_save(actor=appraiser, template=template, study=studies[0], target="",
                                answers={"q1_1": "No", "d1_judgement": "unsure"}, done=True)
    extraction_services.consensus_finalise(actor=people["lead"],
                                           extraction=Extraction.objects.get(template=template, study=studies[0]))
    verdict = extraction_selectors.risk_of_bias_verdicts(review=review)[(studies[0].pk, "")]
    assert (verdict.judgement, verdict.high) == ("unsure", True)
    _, _, scale, _ = appraisal_selectors.figure_data(template=template)
    assert figures.level_style("unsure", scale) == figures.HIGH
    # and on the pages, in the same colour
    for name in ("appraisal_home", "appraisal_study"):
        args = [review.pk] + ([studies[0].pk] if name == "appraisal_study" else [])
        assert '<span class="rob rob-high">unsure</span>' in client.get(reverse(name, args=args)).content.decode()

    # emptied in the next version: the worse half again, and the change is audited with both sides
    assert page_post(client, review, template, high_risk_from="").status_code == 302
    template.refresh_from_db()
    assert tools.high_risk_levels(appraisal_selectors.tool_definition(template)) == ["bad"]
    change = AuditEvent.objects.filter(review=review, object_label__contains="changed").latest("id")
    assert (change.before["high_risk_from"], change.after["high_risk_from"]) == ("unsure", "")


def test_the_api_takes_and_shows_where_high_risk_starts(client, review, people):
    lead, url = token(people["lead"]), reverse("api_appraisal_tools", args=[review.pk])
    body = {"name": "Our scale", "scale": SCALE, "domains": DOMAINS}
    refused = client.post(url, data={**body, "high_risk_from": "awful"}, content_type="application/json", **lead)
    assert refused.status_code == 400 and refused.json()["field"] == "high_risk_from"
    assert "“awful” is not one of them" in str(refused.json())
    services.builtin_tools_load()
    builtin = client.post(url, data={"tool": "robins-i", "high_risk_from": "Moderate"},
                          content_type="application/json", **lead)
    assert builtin.status_code == 400 and builtin.json()["field"] == "high_risk_from"
    viewer = token(people["viewer"])
    forbidden = client.post(url, data={**body, "high_risk_from": "unsure"}, content_type="application/json", **viewer)
    assert forbidden.status_code == 403

    made = client.post(url, data={**body, "high_risk_from": "unsure"}, content_type="application/json", **lead)
    assert made.status_code == 201, made.json()
    shown = made.json()
    assert (shown["high_risk_from"], shown["high_risk_levels"]) == ("unsure", ["unsure", "bad"])
    assert shown["definition"]["high_risk_from"] == "unsure"
    listed = client.get(url, **viewer).json()["results"]
    assert [(t["name"], t["high_risk_from"], t["high_risk_levels"]) for t in listed] == [
        ("Our scale", "unsure", ["unsure", "bad"])]
    robins = client.post(url, data={"tool": "robins-i"}, content_type="application/json", **lead).json()
    assert (robins["high_risk_from"], robins["high_risk_levels"]) == ("", ["Serious", "Critical"])


@pytest.mark.parametrize("start, wrong", [("", None), ("unsure", None), ("bad", None), ("fine", "best level"),
                                          ("Bad", "is not one of them")])
def test_a_tool_definition_is_checked_for_where_high_risk_starts(start, wrong):
    error = tools.high_risk_from_error(SCALE, start)
    assert (error is None) if wrong is None else (wrong in error)
