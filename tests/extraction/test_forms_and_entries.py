"""The extraction form and double entry: saving, refusing impossible values without losing them,
repeating groups, blindness, settlement and consensus."""
from __future__ import annotations

import pytest

from extraction import services
from extraction.models import Entry, Extraction
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from tests.extraction.conftest import BASE, answers_post, posted

pytestmark = pytest.mark.django_db


def save(template, study, user, done=False, **values):
    """As the entry page saves a post: its answers, and the inputs as typed to keep if refused."""
    inputs = {**BASE, **values}
    return services.entry_save(actor=user, template=template, study=study, answers=posted(template, **inputs),
                               draft=answers_post(**inputs), done=done)


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
    assert not result.saved and result.errors["answers.format"] == "Format: required before marking done."
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


def test_the_copy_attack_is_refused_both_entries_freeze_once_done_and_differing(builtin, studies, extractors,
                                                                                 people):
    """An extractor whose entry is done may not reopen it, save over it or autosave into it once the
    other is done too and they differ: nobody copies the other's value before the differences are settled."""
    a, b = extractors
    extraction = _both_done(builtin, studies[0], extractors, {"f-format": "Group"})
    for person in (a, b):
        with pytest.raises(ApplicationError, match="Both entries are done and differ"):
            services.entry_reopen(actor=person, extraction=extraction)
        with pytest.raises(ApplicationError, match="Both entries are done and differ"):
            save(builtin, studies[0], person, done=True)
        with pytest.raises(ApplicationError, match="Both entries are done and differ"):
            services.entry_autosave(actor=person, template=builtin, study=studies[0],
                                    data=answers_post(**{"f-format": "Individual"}))
    assert {e.user: (e.done, e.answers["format"], e.draft) for e in extraction.entries.all()} == {
        a: (True, "Individual", None), b: (True, "Group", None)}
    services.settlement_record(actor=people["lead"], extraction=extraction, path="format", choice="b")
    services.consensus_finalise(actor=people["lead"], extraction=extraction)
    services.consensus_reopen(actor=people["lead"], extraction=extraction)
    with pytest.raises(ApplicationError, match="Both entries are done and differ"):  # settled again, not copied
        services.entry_reopen(actor=b, extraction=extraction)


def test_an_entry_stays_open_while_the_other_is_not_done_and_when_both_agree(builtin, studies, extractors):
    a, b = extractors
    save(builtin, studies[0], a, done=True)
    save(builtin, studies[0], b, **{"f-format": "Group"})  # b still working
    extraction = Extraction.objects.get(template=builtin, study=studies[0])
    services.entry_reopen(actor=a, extraction=extraction)
    assert save(builtin, studies[0], a, done=True, **{"f-format": "Mixed"}).saved
    assert save(builtin, studies[0], b, done=True, **{"f-format": "Mixed"}).saved  # both done, agreeing
    services.entry_reopen(actor=b, extraction=extraction)
    assert not Entry.objects.get(extraction=extraction, user=b).done


def test_only_a_lead_or_a_third_person_named_settler_settles(builtin, studies, extractors, people, make_user):
    from reviewapp import services as review_services

    a, _ = extractors
    extraction = _both_done(builtin, studies[0], extractors, {"f-format": "Group"})
    third = make_user("third")
    review_services.member_roles_set(actor=people["lead"], review=builtin.review, user=third, roles=["extractor"])
    for person in (a, third):
        with pytest.raises(ApplicationError, match="needs the role Lead"):
            services.settlement_record(actor=person, extraction=extraction, path="format", choice="a")
    services.template_settler_set(actor=people["lead"], template=builtin, settler=a)
    with pytest.raises(ApplicationError, match="filled one of the two entries yourself"):
        services.settlement_record(actor=a, extraction=extraction, path="format", choice="a")
    services.template_settler_set(actor=people["lead"], template=builtin, settler=third)
    services.settlement_record(actor=third, extraction=extraction, path="format", choice="a")
    assert services.consensus_finalise(actor=third, extraction=extraction).consensus["format"] == "Individual"


@pytest.mark.parametrize("who", ["viewer", "reviewer", "outsider"])
def test_the_settler_must_extract_in_the_review(builtin, people, who):
    with pytest.raises(ApplicationError, match="must be an extractor or lead"):
        services.template_settler_set(actor=people["lead"], template=builtin, settler=people[who])
    builtin.refresh_from_db()
    assert builtin.settler is None


def test_autosave_keeps_what_was_typed_without_checking_it(builtin, studies, extractors):
    entry = services.entry_autosave(actor=extractors[0], template=builtin, study=studies[0],
                                    data=answers_post(**{"f-n_caregivers": "abc", "csrfmiddlewaretoken": "x"}))
    assert entry.draft == {"f-n_caregivers": ["abc"]}
    assert entry.answers == {}
