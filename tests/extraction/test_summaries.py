"""Descriptive summaries of the included studies: what the page, the API and the chart say equals
what is counted here by hand from the consensus answers; missing answers are counted, not dropped."""
from __future__ import annotations

import statistics

import pytest
from django.urls import reverse
from lxml import etree

from extraction import summaries, summary_chart
from extraction.models import Extraction
from screening.models import Study

pytestmark = pytest.mark.django_db

ANSWERS = {
    "Ames 2001": {"design": "Randomised controlled trial", "intervention_category": "Contemporary mentalization-based",
                  "started_in_pregnancy": "Yes", "setting": ["Home", "Clinic"], "country": "United States",
                  "n_caregivers": 120,
                  "outcomes_measured": [{"outcome": "Parental depression", "instrument": "EPDS"}],
                  "outcome_data": [{"outcome": "Parental depression"}, {"outcome": "Parental depression"}]},
    "Berg 2005": {"design": "Uncontrolled pre-post study", "intervention_category": "Contemporary mentalization-based",
                  "started_in_pregnancy": "No", "setting": ["Home"], "country": "Sweden", "n_caregivers": 31,
                  "outcomes_measured": [{"outcome": "Parental depression", "instrument": "BDI"},
                                        {"outcome": "Parental reflective functioning", "instrument": "PRFQ"}],
                  "outcome_data": [{"outcome": "Parental reflective functioning"}]},
    "Cole 2010": {"design": "Randomised controlled trial",
                  "intervention_category": "Psychodynamically informed attachment-based",
                  "started_in_pregnancy": "No", "setting": ["Clinic"], "country": "United Kingdom"},
    "<b>Dix</b> 2012": {"design": "Randomised controlled trial",
                        "intervention_category": "Psychodynamically informed attachment-based",
                        "started_in_pregnancy": "Unclear", "country": "United States", "n_caregivers": 64},
}


@pytest.fixture
def described(review, people, builtin):
    """Four studies with a final consensus, and one whose consensus is not final yet."""
    version = builtin.current_version
    for label, answers in ANSWERS.items():
        study = Study.objects.create(review=review, label=label)
        Extraction.objects.create(review=review, template=builtin, study=study, version=version,
                                  status=Extraction.Status.DONE, consensus=answers)
    pending = Study.objects.create(review=review, label="Zed 2020")
    Extraction.objects.create(review=review, template=builtin, study=pending, version=version,
                              status=Extraction.Status.AWAITING_CONSENSUS, consensus=None)
    return review


def _api(client_for, people, review, **query):
    url = reverse("api_extraction_summaries", args=[review.pk])
    return client_for(people["viewer"]).get(url, query)


def _field(body, key):
    return next(f for f in body["fields"] if f["key"] == key)


def test_choice_counts_and_percentages_per_value_with_the_missing(client_for, people, described):
    body = _api(client_for, people, described).json()
    assert body["studies"] == 4 and [s["label"] for s in body["without_consensus"]] == ["Zed 2020"]
    pregnancy = _field(body, "started_in_pregnancy")
    by_hand = {}
    for answers in ANSWERS.values():
        by_hand[answers["started_in_pregnancy"]] = by_hand.get(answers["started_in_pregnancy"], 0) + 1
    assert {v["value"]: v["count"] for v in pregnancy["values"]} == by_hand
    assert {v["value"]: v["percent"] for v in pregnancy["values"]} == {
        k: round(100 * n / 4, 1) for k, n in by_hand.items()}
    # multi-choice: a study counts once under each value; one study has no setting at all
    setting = _field(body, "setting")
    counts = {v["value"]: v["count"] for v in setting["values"]}
    assert counts["Home"] == sum("Home" in a.get("setting", []) for a in ANSWERS.values()) == 2
    assert counts["Clinic"] == 2 and counts["Residential"] == 0
    assert setting["missing"] == 1 and setting["missing_studies"][0]["label"] == "<b>Dix</b> 2012"
    home = next(v for v in setting["values"] if v["value"] == "Home")
    assert sorted(s["label"] for s in home["studies"]) == ["Ames 2001", "Berg 2005"]


def test_numbers_are_summed_once_per_study_with_mean_median_and_range(client_for, people, described):
    numbers = [a["n_caregivers"] for a in ANSWERS.values() if "n_caregivers" in a]
    caregivers = _field(_api(client_for, people, described).json(), "n_caregivers")
    assert caregivers["sum"] == sum(numbers) == 215
    assert caregivers["n"] == 3 and caregivers["missing"] == 1
    assert caregivers["mean"] == pytest.approx(statistics.fmean(numbers))
    assert caregivers["median"] == statistics.median(numbers) == 64
    assert (caregivers["min"], caregivers["max"]) == (31, 120)


def test_cross_table_cells_hold_their_studies(client_for, people, described):
    body = _api(client_for, people, described, rows="intervention_category", columns="setting").json()
    cells = {(c["row"], c["column"]): [s["label"] for s in c["studies"]] for c in body["cross_table"]["cells"]}
    assert cells[("Contemporary mentalization-based", "Home")] == ["Ames 2001", "Berg 2005"]
    assert cells[("Contemporary mentalization-based", "Clinic")] == ["Ames 2001"]
    assert cells[("Psychodynamically informed attachment-based", "(missing)")] == ["<b>Dix</b> 2012"]
    assert body["cross_table"]["columns"][-1] == "(missing)"


def test_a_field_the_form_lacks_is_refused_by_name(client_for, people, described):
    response = _api(client_for, people, described, rows="intervention_category", columns="colour")
    assert response.status_code == 400 and "colour" in str(response.json())
    page = client_for(people["viewer"]).get(reverse("extraction_summaries", args=[described.pk]),
                                            {"rows": "shoe_size", "columns": "setting"})
    assert page.status_code == 400 and "shoe_size" in page.content.decode()
    response = _api(client_for, people, described, rows="setting")
    assert response.status_code == 400 and "both" in str(response.json())


def test_outcomes_list_which_studies_measured_them_and_how_often(client_for, people, described):
    outcomes = {o["outcome"]: o for o in _api(client_for, people, described).json()["outcomes"]}
    assert outcomes["Parental depression"]["count"] == 2 and outcomes["Parental depression"]["results"] == 2
    assert [s["label"] for s in outcomes["Parental reflective functioning"]["studies"]] == ["Berg 2005"]
    assert outcomes["Parental depression"]["percent"] == 50.0


def test_the_page_shows_the_counts_the_studies_and_an_escaped_chart(client_for, people, described):
    response = client_for(people["viewer"]).get(reverse("extraction_summaries", args=[described.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<b>Dix</b>" not in html and "&lt;b&gt;Dix&lt;/b&gt; 2012" in html
    assert "<svg" in html and "<style" not in html.split("<svg", 1)[1]
    assert "Zed 2020" in html  # listed as not counted yet
    study = Study.objects.get(review=described, label="Ames 2001")
    assert reverse("extraction_study", args=[described.pk, study.pk]) in html


def test_the_chart_escapes_every_label_and_draws_a_bar_per_value():
    svg = summary_chart.bar_chart('A & "B"', [("<script>x</script>", 3), (summaries.MISSING, 1)], total=4,
                                  missing_label=summaries.MISSING)
    tree = etree.fromstring(svg.encode())
    ns = {"s": "http://www.w3.org/2000/svg"}
    assert not tree.xpath("//s:script", namespaces=ns) and tree.get("aria-label") == 'A & "B"'
    widths = [float(r.get("width")) for r in tree.xpath("//s:g/s:rect", namespaces=ns)]
    assert widths == [summary_chart.BAR_WIDTH * 3 / 4, summary_chart.BAR_WIDTH / 4]
