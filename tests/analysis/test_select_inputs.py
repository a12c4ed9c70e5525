"""The selection step of an analysis' inputs on its own: plain data in, no database.

``analysis_inputs`` fetches, ``select_inputs`` decides; these tests feed the
decision the data a review would have and check who enters and why.
"""
from __future__ import annotations

from types import SimpleNamespace

from analysis.selectors import _Fetched, select_inputs
from extraction.appraisal.selectors import RiskVerdict
from extraction.selectors import BUILTIN_DESIGN_FIELD, BUILTIN_DESIGN_VALUES, DesignSource
from tests.analysis.test_inputs import NRS, PP, RCT, means, prepost

SPEC = {"outcome": "Parental depression", "higher_favours": False, "timepoint": "first", "measure": "SMD",
        "designs": [RCT, NRS], "exclude_high_risk": True, "cluster_field": "", "subgroup_field": "country",
        "moderators": [], "level": 95}


def study(pk, label):
    return SimpleNamespace(pk=pk, label=label, design="")


def fetched(answers: dict, judgements: dict) -> _Fetched:
    studies = [study(pk, f"S{pk}") for pk in (1, 2, 3, 4, 5)]
    return _Fetched(studies=studies, final=answers,
                    designs=DesignSource(BUILTIN_DESIGN_FIELD, dict(BUILTIN_DESIGN_VALUES), stored=False),
                    fields_by_key={"country": {"key": "country", "type": "text", "label": "Country"}},
                    rob=judgements)


def test_the_selection_takes_controlled_low_risk_studies_and_says_why_each_other_one_is_left_out():
    answers = {1: {"design": RCT, "outcome_data": [means()], "country": "UK"},
               2: {"design": PP, "outcome_data": [prepost()]},
               3: {"design": NRS, "outcome_data": [means()]},
               4: {"design": RCT, "outcome_data": [means(outcome="Other")]}}
    result = select_inputs(SPEC, fetched(answers, {(1, ""): RiskVerdict("low", False),
                                                    (3, "Parental depression"): RiskVerdict("poor", True)}))
    assert [(s["label"], s["subgroup"], s["notes"]) for s in result.studies] == [("S1", "UK", [])]
    assert {e["label"]: e["reason"] for e in result.excluded} == {
        "S2": f"design: {PP} (this analysis takes {RCT}, {NRS})",
        "S3": "high risk of bias (overall: poor)",
        "S4": "no data for this outcome",
        "S5": "extraction not final (no consensus yet)",
    }
    # the pre-post study is left out of a controlled analysis but summarised apart
    assert [(p["label"], p["favourable"]) for p in result.prepost] == [("S2", True)]


def test_without_a_published_form_nothing_is_selected_and_the_note_says_why():
    result = select_inputs(SPEC, None)
    assert result.studies == [] and result.notes == ["No extraction form is published yet, so no study has data."]
