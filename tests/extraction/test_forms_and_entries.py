"""The extraction form and double entry: saving, refusing impossible values without losing them,
repeating groups, blindness, settlement and consensus."""
from __future__ import annotations

import pytest

from extraction import services
from extraction.models import Entry, Extraction
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from tests.extraction.conftest import BASE, answers_post

pytestmark = pytest.mark.django_db


def save(template, study, user, done=False, **values):
    return services.entry_save(actor=user, template=template, study=study, data=answers_post(**{**BASE, **values}),
                               done=done)


def test_a_study_with_three_arms_and_two_follow_ups_fits(builtin, studies, extractors):
    result = save(builtin, studies[0], extractors[0], **{
        "r-arms-2-name": "Attention control", "r-arms-2-role": "Comparator",
        "r-timepoints-0-label": "post-treatment", "r-timepoints-0-months_from_baseline": "6",
        "r-timepoints-1-label": "12-month follow-up", "r-timepoints-1-months_from_baseline": "18"})
    assert result.saved, result.errors
    answers = result.entry.answers
    assert [a["name"] for a in answers["arms"]] == ["Minding the Baby", "Usual care", "Attention control"]
    assert [t["months_from_baseline"] for t in answers["timepoints"]] == [6, 18]
    assert answers["setting"] == ["Home", "Clinic"] and answers["n_caregivers"] == 105


def test_an_empty_row_is_left_out_and_a_removed_row_is_dropped(builtin, studies, extractors):
    result = save(builtin, studies[0], extractors[0], **{"r-arms-5-name": "", "r-arms-1-_remove": "1"})
    assert [a["name"] for a in result.entry.answers["arms"]] == ["Minding the Baby"]


@pytest.mark.parametrize("values, message", [
    ({"r-outcome_data-0-i_sd": "0"}, "SD must be greater than 0"),
    ({"r-outcome_data-0-c_n": "0"}, "n must be at least 1"),
    ({"r-outcome_data-0-i_events": "50", "r-outcome_data-0-i_n": "40"}, "events (50) cannot exceed the total n (40)"),
    ({"r-outcome_data-0-effect": "0.5", "r-outcome_data-0-effect_ci_lb": "0.6", "r-outcome_data-0-effect_ci_ub": "0.9"},
     "the confidence interval must contain the estimate (0.5)"),
    ({"f-n_caregivers": "0"}, "must be at least 1"),
    ({"f-n_caregivers": "twelve"}, "whole number expected"),
    ({"f-country": "Atlantis"}, "“Atlantis” is not one of the choices"),
])
def test_impossible_values_are_refused_with_a_message_and_nothing_typed_is_lost(
        builtin, studies, extractors, values, message):
    first = save(builtin, studies[0], extractors[0], **{"f-programme": "Kept from before"})
    assert first.saved
    row = {"r-outcome_data-0-outcome": "Parental depression", "r-outcome_data-0-instrument": "EPDS",
           "r-outcome_data-0-data_type": "Means (two groups)", "f-programme": "Typed just now"}
    result = save(builtin, studies[0], extractors[0], **{**row, **values})
    assert not result.saved
    assert any(message in text for text in result.errors.values()), result.errors
    entry = Entry.objects.get(pk=result.entry.pk)
    assert entry.answers["programme"] == "Kept from before"  # the saved answers did not change
    assert entry.draft["f-programme"] == ["Typed just now"]  # and what was typed is kept
    for name, value in values.items():
        assert entry.draft[name] == [value]


def test_marking_done_needs_the_required_fields(builtin, studies, extractors):
    result = save(builtin, studies[0], extractors[0], done=True, **{"f-format": ""})
    assert not result.saved and result.errors["f-format"] == "Format: required before marking done."
    assert not Entry.objects.get(pk=result.entry.pk).done


def test_only_two_people_extract_a_study(builtin, studies, extractors, people):
    save(builtin, studies[0], extractors[0])
    save(builtin, studies[0], extractors[1])
    with pytest.raises(ApplicationError, match="Two people"):
        save(builtin, studies[0], people["lead"])


def _both_done(builtin, study, extractors, b_changes=None):
    a = save(builtin, study, extractors[0], done=True)
    b = save(builtin, study, extractors[1], done=True, **(b_changes or {}))
    assert a.saved and b.saved, (a.errors, b.errors)
    return Extraction.objects.get(template=builtin, study=study)


def test_status_moves_from_in_progress_to_awaiting_consensus_to_done(builtin, studies, extractors, people):
    save(builtin, studies[0], extractors[0])
    extraction = Extraction.objects.get(template=builtin, study=studies[0])
    assert extraction.status == "in_progress"
    extraction = _both_done(builtin, studies[0], extractors, {"f-format": "Group"})
    assert extraction.status == "awaiting_consensus"
    _, _, differ = services.differences(extraction)
    assert differ == ["format"]
    with pytest.raises(ApplicationError, match="1 difference still to settle"):
        services.consensus_finalise(actor=people["lead"], extraction=extraction)
    services.settlement_record(actor=people["lead"], extraction=extraction, path="format", choice="b", note="p. 4")
    extraction = services.consensus_finalise(actor=people["lead"], extraction=extraction)
    assert extraction.status == "done"
    assert extraction.consensus["format"] == "Group"
    assert extraction.consensus["programme"] == "Minding the Baby"
    assert AuditEvent.objects.filter(object_type="extraction.Settlement").exists()


def test_the_settler_may_type_another_value_checked_as_the_field(builtin, studies, extractors, people):
    extraction = _both_done(builtin, studies[0], extractors, {"f-n_caregivers": "104"})
    with pytest.raises(ApplicationError, match="whole number"):
        services.settlement_record(actor=people["lead"], extraction=extraction, path="n_caregivers",
                                   choice="other", other="one hundred")
    services.settlement_record(actor=people["lead"], extraction=extraction, path="n_caregivers",
                               choice="other", other="103")
    extraction = services.consensus_finalise(actor=people["lead"], extraction=extraction)
    assert extraction.consensus["n_caregivers"] == 103


def test_a_field_both_agree_on_cannot_be_settled(builtin, studies, extractors, people):
    extraction = _both_done(builtin, studies[0], extractors)
    with pytest.raises(ApplicationError, match="agree"):
        services.settlement_record(actor=people["lead"], extraction=extraction, path="format", choice="a")


def test_a_done_entry_is_changed_only_after_reopening(builtin, studies, extractors):
    save(builtin, studies[0], extractors[0], done=True)
    with pytest.raises(ApplicationError, match="reopen"):
        save(builtin, studies[0], extractors[0])
    extraction = Extraction.objects.get(template=builtin, study=studies[0])
    services.entry_reopen(actor=extractors[0], extraction=extraction)
    assert save(builtin, studies[0], extractors[0], **{"f-format": "Mixed"}).entry.answers["format"] == "Mixed"


def test_autosave_keeps_what_was_typed_without_checking_it(builtin, studies, extractors):
    entry = services.entry_autosave(actor=extractors[0], template=builtin, study=studies[0],
                                    data=answers_post(**{"f-n_caregivers": "abc", "csrfmiddlewaretoken": "x"}))
    assert entry.draft == {"f-n_caregivers": ["abc"]}
    assert entry.answers == {}
