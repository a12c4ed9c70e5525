"""Which studies an analysis pools, on which measure, at which time point, and why others are left out."""
from __future__ import annotations

import math

import pytest

from analysis import selectors, services
from analysis.effects import LOGISTIC
from extraction import outcome_data as od
from extraction import selectors as extraction_selectors
from extraction.appraisal.selectors import RiskVerdict
from screening.models import Study
from tests.analysis.conftest import finalise

pytestmark = pytest.mark.django_db

RCT, NRS, PP = "Randomised controlled trial", "Non-randomised controlled study", "Uncontrolled pre-post study"


def means(outcome="Parental depression", timepoint="Post-treatment", i=(30, 10.0, 4.0), c=(30, 12.0, 4.0), **extra):
    return {"outcome": outcome, "instrument": "EPDS", "higher_is_better": "No", "timepoint": timepoint,
            "data_type": od.CONTINUOUS, "i_n": i[0], "i_mean": i[1], "i_sd": i[2], "c_n": c[0], "c_mean": c[1],
            "c_sd": c[2], **extra}


def events(outcome="Infant attachment", timepoint="Post-treatment", ai=20, n1=40, ci=12, n2=40):
    return {"outcome": outcome, "instrument": "SSP", "higher_is_better": "Yes", "timepoint": timepoint,
            "data_type": od.DICHOTOMOUS, "i_n": n1, "i_events": ai, "c_n": n2, "c_events": ci}


def prepost(outcome="Parental depression", pre=14.0, post=11.0):
    return {"outcome": outcome, "instrument": "EPDS", "higher_is_better": "No", "timepoint": "Post-treatment",
            "data_type": od.PREPOST, "i_n": 20, "pre_mean": pre, "pre_sd": 4.0, "post_mean": post, "post_sd": 4.0,
            "r": 0.5, "r_source": "Assumed"}


@pytest.fixture
def add(review, template):
    def add_study(label, design, rows, timepoints=None, **answers):
        study = Study.objects.create(review=review, label=label)
        finalise(template, study, {"design": design, "outcome_data": rows, "timepoints": timepoints or [],
                                   **answers})
        return study
    return add_study


def inputs(review, people, outcome, **spec):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcome, **spec)
    return selectors.analysis_inputs(analysis=analysis)


def reasons(result):
    return {e["label"]: e["reason"] for e in result.excluded}


def test_controlled_designs_enter_by_default_and_pre_post_studies_are_summarised(review, people, outcomes, add):
    add("A 2001", RCT, [means()])
    add("B 2002", NRS, [means(i=(25, 11.0, 4.0))])
    add("C 2003", PP, [prepost()])
    add("D 2004", PP, [prepost(pre=10.0, post=12.0)])  # got worse
    Study.objects.create(review=review, label="E 2005")  # not yet extracted
    result = inputs(review, people, outcomes["Parental depression"])
    assert [s["label"] for s in result.studies] == ["A 2001", "B 2002"]
    why = reasons(result)
    assert why["C 2003"].startswith("design: Uncontrolled pre-post study")
    assert why["E 2005"] == "extraction not final (no consensus yet)"
    # depression: lower is better, so the pre-post improvement is a negative change
    assert [(p["label"], p["favourable"]) for p in result.prepost] == [("C 2003", True), ("D 2004", False)]


def test_time_point_rule_first_last_or_named(review, people, outcomes, add):
    tps = [{"label": "Follow-up", "months_from_baseline": 12.0}, {"label": "Post-treatment",
                                                                   "months_from_baseline": 6.0}]
    add("A 2001", RCT, [means(timepoint="Follow-up", i=(30, 9.0, 4.0)), means(timepoint="Post-treatment")],
        timepoints=tps)
    add("B 2002", RCT, [means()])
    first = inputs(review, people, outcomes["Parental depression"])
    assert [s["timepoint"] for s in first.studies] == ["Post-treatment", "Post-treatment"]
    last = inputs(review, people, outcomes["Parental depression"], name="last", timepoint="last")
    assert [s["timepoint"] for s in last.studies] == ["Follow-up", "Post-treatment"]
    named = inputs(review, people, outcomes["Parental depression"], name="fu", timepoint="follow-up")
    assert [s["label"] for s in named.studies] == ["A 2001"]
    assert reasons(named)["B 2002"].startswith("no data at the time point “follow-up” (has: Post-treatment)")


def test_measures_convert_where_a_conversion_is_accepted_and_say_so(review, people, outcomes, add):
    add("A 2001", RCT, [events()])
    add("B 2002", RCT, [events(ai=25)])
    smd = inputs(review, people, outcomes["Infant attachment"])
    or_a = math.log(20 * 28 / (20 * 12))
    assert smd.studies[0]["yi"] == pytest.approx(or_a / LOGISTIC)
    assert smd.studies[0]["notes"] == ["log odds ratio converted to an SMD (Chinn 2000)"]
    rr = inputs(review, people, outcomes["Infant attachment"], name="RR", measure="RR")
    assert rr.studies[0]["yi"] == pytest.approx(math.log((20 / 40) / (12 / 40)))
    md = inputs(review, people, outcomes["Infant attachment"], name="MD", measure="MD")
    assert md.studies == [] and reasons(md)["A 2001"].startswith("reports events of two groups, from which no mean "
                                                                 "difference can be computed")


def test_mean_difference_keeps_the_outcome_direction(review, people, outcomes, add):
    add("A 2001", RCT, [means()])
    add("B 2002", RCT, [means(i=(25, 11.0, 4.0))])
    md = inputs(review, people, outcomes["Parental depression"], measure="MD")
    assert [s["yi"] for s in md.studies] == pytest.approx([-2.0, -1.0])  # lower depression in the intervention arm


def test_incomplete_rows_are_left_out_with_what_they_need(review, people, outcomes, add):
    row = means()
    del row["c_sd"]
    add("A 2001", RCT, [row])
    why = reasons(inputs(review, people, outcomes["Parental depression"]))
    assert why["A 2001"] == "incomplete outcome data: needs Comparator SD (or SE or CI)"


def test_high_risk_of_bias_is_left_out_once_appraised(review, people, outcomes, add, monkeypatch):
    a, b, c = add("A 2001", RCT, [means()]), add("B 2002", RCT, [means()]), add("C 2003", NRS, [means()])
    no_rob = inputs(review, people, outcomes["Parental depression"], exclude_high_risk=True)
    assert len(no_rob.studies) == 3 and "not appraised yet" in no_rob.notes[0]
    verdicts = {(a.pk, "Parental depression"): RiskVerdict("high", True), (b.pk, ""): RiskVerdict("low", False),
                (c.pk, ""): RiskVerdict("serious", True)}
    monkeypatch.setattr(extraction_selectors, "risk_of_bias_verdicts", lambda *, review: verdicts)
    result = inputs(review, people, outcomes["Parental depression"], name="low rob", exclude_high_risk=True)
    assert [s["label"] for s in result.studies] == ["B 2002"]
    assert reasons(result) == {"A 2001": "high risk of bias (overall: high)",
                               "C 2003": "high risk of bias (overall: serious)"}
    kept = inputs(review, people, outcomes["Parental depression"], name="all")
    assert len(kept.studies) == 3  # the variant is off by default


def test_one_study_per_cluster_keeps_the_largest(review, people, outcomes, add):
    add("A 2001", RCT, [means(i=(20, 10.0, 4.0), c=(20, 12.0, 4.0))], programme="Minding the Baby")
    add("B 2002", RCT, [means(i=(60, 10.0, 4.0), c=(60, 12.0, 4.0))], programme="Minding the Baby")
    add("C 2003", RCT, [means()], programme="Circle of Security")
    result = inputs(review, people, outcomes["Parental depression"], cluster_field="programme")
    assert [s["label"] for s in result.studies] == ["B 2002", "C 2003"]
    assert reasons(result)["A 2001"] == ("one study per programme name: Minding the Baby is represented by "
                                         "B 2002 (larger)")


def test_subgroups_and_moderators_come_from_extraction_fields(review, people, outcomes, add):
    add("A 2001", RCT, [means()], format="Group", n_caregivers=60)
    add("B 2002", RCT, [means()], format="Individual", n_caregivers=80)
    result = inputs(review, people, outcomes["Parental depression"], subgroup_field="format",
                    moderators=["n_caregivers", "format"])
    assert [(s["subgroup"], s["moderators"]) for s in result.studies] == [
        ("Group", {"n_caregivers": 60.0, "format": "Group"}),
        ("Individual", {"n_caregivers": 80.0, "format": "Individual"})]


def test_fields_not_on_the_form_are_refused(review, people, outcomes, template):
    from reviewapp.exceptions import ApplicationError

    with pytest.raises(ApplicationError, match="not a study-level field"):
        services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"],
                                 subgroup_field="shoe_size")
