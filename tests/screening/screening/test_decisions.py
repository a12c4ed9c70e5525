"""Decisions, their outcome, conflicts and the queue, through the services."""
from __future__ import annotations

import pytest

from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from screening import services
from screening.models import Claim, Decision, ScreeningItem, Study

from .conftest import decide

Status = ScreeningItem.Status


def test_every_unique_record_gets_a_title_abstract_item(review, records_to_screen):
    assert len(records_to_screen) == 10
    assert {i.stage for i in records_to_screen} == {"ta"}
    assert {i.status for i in records_to_screen} == {Status.PENDING}


def test_two_includes_send_a_record_to_full_text_and_maybe_counts_as_include(review, screeners, records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    item.refresh_from_db()
    assert item.status == Status.PENDING and item.decisions_count == 1
    decide(review, b, item, "maybe")
    item.refresh_from_db()
    assert item.status == Status.INCLUDED
    assert ScreeningItem.objects.filter(record=item.record, stage="ft", status=Status.PENDING).exists()


def test_two_excludes_exclude_and_a_disagreement_is_a_conflict(review, screeners, records_to_screen):
    a, b = screeners
    first, second = records_to_screen[:2]
    decide(review, a, first, "exclude")
    decide(review, b, first, "exclude")
    decide(review, a, second, "include")
    decide(review, b, second, "exclude")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Status.EXCLUDED
    assert second.status == Status.CONFLICT


def test_the_lead_resolves_a_conflict_and_the_record_moves_on(review, people, screeners, records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include", note="mothers with depression")
    decide(review, b, item, "exclude")
    services.conflict_resolve(actor=people["lead"], review=review, item_id=item.pk, value="include",
                              note="population fits")
    item.refresh_from_db()
    assert item.status == Status.INCLUDED and item.resolved_by == people["lead"]
    assert ScreeningItem.objects.filter(record=item.record, stage="ft").exists()
    with pytest.raises(ApplicationError, match="not in conflict"):
        services.conflict_resolve(actor=people["lead"], review=review, item_id=item.pk, value="exclude")


def test_the_same_decision_twice_is_stored_once(review, screeners, records_to_screen):
    a, _ = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    decide(review, a, item, "include")
    item.refresh_from_db()
    assert Decision.objects.filter(item=item).count() == 1 and item.decisions_count == 1


def test_a_decision_can_be_changed_until_the_record_moves_on(review, screeners, records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    decide(review, a, item, "exclude", note="wrong age group")
    assert Decision.objects.get(item=item).value == "exclude"
    assert AuditEvent.objects.filter(object_type="screening.Decision", action="update").exists()
    decide(review, b, item, "exclude")
    with pytest.raises(ApplicationError, match="moved on"):
        decide(review, a, item, "include")


def test_a_conflict_freezes_both_decisions_until_it_is_resolved(review, people, screeners, records_to_screen):
    """The probe-and-undo attack: reviewer 2 decides, sees the record become a conflict, and tries to
    take the decision back or re-post it to match. Every way is refused and the conflict stays."""
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include", note="a's reasons")
    decide(review, b, item, "exclude")
    for person, value in ((b, "include"), (a, "exclude"), (b, "maybe")):
        with pytest.raises(ApplicationError, match="in conflict: neither decision"):
            decide(review, person, item, value)
    for person in (a, b):
        with pytest.raises(ApplicationError, match="cannot be undone.*in conflict"):
            services.decision_undo(actor=person, review=review, stage="ta")
    decide(review, b, item, "exclude")  # the same decision again changes nothing, so it is no error
    item.refresh_from_db()
    assert item.status == Status.CONFLICT and item.decisions_count == 2
    assert sorted(Decision.objects.filter(item=item).values_list("value", flat=True)) == ["exclude", "include"]
    services.conflict_resolve(actor=people["lead"], review=review, item_id=item.pk, value="include")
    with pytest.raises(ApplicationError, match="moved on"):
        decide(review, b, item, "include")


def test_a_decision_stays_open_while_the_other_is_not_in(review, screeners, records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    decide(review, a, item, "exclude")
    assert services.decision_undo(actor=a, review=review, stage="ta").pk == item.pk
    decide(review, a, item, "include")
    decide(review, b, item, "include")
    item.refresh_from_db()
    assert item.status == Status.INCLUDED


def test_probe_and_undo_leaves_the_agreement_statistics_as_the_decisions_were(review, screeners,
                                                                              records_to_screen):
    from screening.selectors import agreement_table

    a, b = screeners
    for item, (first, second) in zip(records_to_screen[:4], [("include", "include"), ("exclude", "exclude"),
                                                              ("include", "exclude"), ("exclude", "include")],
                                     strict=True):
        decide(review, a, item, first)
        decide(review, b, item, second)
        if first != second:  # b tries to match a after seeing the conflict
            with pytest.raises(ApplicationError):
                services.decision_undo(actor=b, review=review, stage="ta")
            with pytest.raises(ApplicationError):
                decide(review, b, item, first)
    [row] = agreement_table(review=review)
    assert row.result.n == 4 and row.result.percent == pytest.approx(50.0)


def test_only_a_lead_or_the_named_third_reviewer_resolves_and_never_their_own_conflict(
        review, people, screeners, records_to_screen, make_user):
    from reviewapp import services as review_services

    a, b = screeners
    third = make_user("third")
    review_services.member_roles_set(actor=people["lead"], review=review, user=third, roles=["reviewer"])
    item = records_to_screen[0]
    decide(review, a, item, "include")
    decide(review, b, item, "exclude")
    for person in (a, third):
        with pytest.raises(ApplicationError, match="needs the role Lead"):
            services.conflict_resolve(actor=person, review=review, item_id=item.pk, value="include")
    services.screening_settings_update(actor=people["lead"], review=review, conflict_resolver=b)
    with pytest.raises(ApplicationError, match="decided on this record yourself"):
        services.conflict_resolve(actor=b, review=review, item_id=item.pk, value="exclude")
    services.screening_settings_update(actor=people["lead"], review=review, conflict_resolver=third)
    services.conflict_resolve(actor=third, review=review, item_id=item.pk, value="exclude")
    item.refresh_from_db()
    assert (item.status, item.resolved_by) == (Status.EXCLUDED, third)


@pytest.mark.parametrize("who", ["viewer", "extractor", "outsider"])
def test_the_third_reviewer_must_screen_in_the_review(review, people, who):
    with pytest.raises(ApplicationError, match="must be a lead or reviewer"):
        services.screening_settings_update(actor=people["lead"], review=review, conflict_resolver=people[who])
    assert services.screening_settings(review).conflict_resolver is None


def test_a_third_decision_is_refused_once_two_are_in(review, screeners, records_to_screen, people):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    decide(review, b, item, "exclude")
    with pytest.raises(ApplicationError):
        decide(review, people["lead"], item, "include")
    assert Decision.objects.filter(item=item).count() == 2


def test_full_text_exclusion_needs_one_of_the_reasons(review, screeners, records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    decide(review, b, item, "include")
    ft = ScreeningItem.objects.get(record=item.record, stage="ft")
    with pytest.raises(ApplicationError, match="needs a reason"):
        decide(review, a, ft, "exclude")
    with pytest.raises(ApplicationError, match="not one of"):
        decide(review, a, ft, "exclude", reason="Too long")
    with pytest.raises(ApplicationError, match="not a decision at this stage"):
        decide(review, a, ft, "maybe")
    decide(review, a, ft, "exclude", reason="Wrong population")
    decide(review, b, ft, "exclude", reason="Wrong population")
    ft.refresh_from_db()
    assert ft.status == Status.EXCLUDED and ft.reason == "Wrong population"


def test_different_exclusion_reasons_are_a_conflict_settled_with_a_reason(review, people, screeners,
                                                                         records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    decide(review, b, item, "include")
    ft = ScreeningItem.objects.get(record=item.record, stage="ft")
    decide(review, a, ft, "exclude", reason="Wrong population")
    decide(review, b, ft, "exclude", reason="Wrong outcome")
    ft.refresh_from_db()
    assert ft.status == Status.CONFLICT
    with pytest.raises(ApplicationError, match="needs a reason"):
        services.conflict_resolve(actor=people["lead"], review=review, item_id=ft.pk, value="exclude")
    services.conflict_resolve(actor=people["lead"], review=review, item_id=ft.pk, value="exclude",
                              reason="Wrong outcome")
    ft.refresh_from_db()
    assert (ft.status, ft.reason) == (Status.EXCLUDED, "Wrong outcome")


def test_an_included_full_text_becomes_a_study_and_a_second_report_can_join_it(review, people, screeners,
                                                                              records_to_screen):
    a, b = screeners
    for item in records_to_screen[:2]:
        decide(review, a, item, "include")
        decide(review, b, item, "include")
        ft = ScreeningItem.objects.get(record=item.record, stage="ft")
        decide(review, a, ft, "include")
        decide(review, b, ft, "include")
    first, second = (i.record for i in records_to_screen[:2])
    first.refresh_from_db()
    second.refresh_from_db()
    assert Study.objects.filter(review=review).count() == 2
    assert first.study.label.startswith("Author1 ")
    services.study_link_report(actor=people["lead"], record=second, study=first.study)
    assert Study.objects.filter(review=review).count() == 1
    assert set(first.study.reports.values_list("pk", flat=True)) == {first.pk, second.pk}


def test_not_retrieved_is_its_own_outcome(review, screeners, records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    decide(review, b, item, "include")
    ft = ScreeningItem.objects.get(record=item.record, stage="ft")
    decide(review, a, ft, "not_retrieved")
    decide(review, b, ft, "not_retrieved")
    ft.refresh_from_db()
    assert ft.status == Status.NOT_RETRIEVED


def test_single_screening_settles_on_one_decision(review, people, screeners, records_to_screen):
    services.screening_settings_update(actor=people["lead"], review=review, reviewers_per_record=1)
    decide(review, screeners[0], records_to_screen[0], "exclude")
    records_to_screen[0].refresh_from_db()
    assert records_to_screen[0].status == Status.EXCLUDED


def test_lowering_to_one_reviewer_settles_records_waiting_with_one_decision(review, people, screeners,
                                                                           records_to_screen):
    decide(review, screeners[0], records_to_screen[0], "include")
    services.screening_settings_update(actor=people["lead"], review=review, reviewers_per_record=1)
    records_to_screen[0].refresh_from_db()
    assert records_to_screen[0].status == Status.INCLUDED


def test_undo_takes_back_the_last_decision_and_returns_its_record(review, screeners, records_to_screen):
    a, _ = screeners
    decide(review, a, records_to_screen[0], "include")
    decide(review, a, records_to_screen[1], "exclude")
    item = services.decision_undo(actor=a, review=review, stage="ta")
    assert item.pk == records_to_screen[1].pk
    assert not Decision.objects.filter(item=item).exists()
    assert services.screening_next(reviewer=a, review=review, stage="ta").pk == item.pk


def test_the_queue_never_gives_two_people_the_record_that_needs_one_more_decision(review, people, screeners,
                                                                                 records_to_screen):
    a, b = screeners
    services.screening_settings_update(actor=people["lead"], review=review, reviewers_per_record=1)
    first_a = services.screening_next(reviewer=a, review=review, stage="ta")
    first_b = services.screening_next(reviewer=b, review=review, stage="ta")
    assert first_a.pk != first_b.pk
    # asking again shows the same record, not a new one
    assert services.screening_next(reviewer=a, review=review, stage="ta").pk == first_a.pk


def test_dual_screening_gives_both_reviewers_the_same_record_but_not_a_third(review, people, screeners,
                                                                            records_to_screen):
    a, b = screeners
    first_a = services.screening_next(reviewer=a, review=review, stage="ta")
    first_b = services.screening_next(reviewer=b, review=review, stage="ta")
    third = services.screening_next(reviewer=people["lead"], review=review, stage="ta")
    assert first_a.pk == first_b.pk
    assert third.pk != first_a.pk


def test_a_reviewer_never_gets_a_record_they_decided(review, screeners, records_to_screen):
    a, _ = screeners
    seen = set()
    while (item := services.screening_next(reviewer=a, review=review, stage="ta")) is not None:
        assert item.pk not in seen
        seen.add(item.pk)
        decide(review, a, item, "exclude")
    assert len(seen) == 10
    assert not Claim.objects.filter(reviewer=a).exists()


def test_released_claims_free_the_records_of_someone_who_left(review, people, screeners, records_to_screen):
    a, b = screeners
    services.screening_settings_update(actor=people["lead"], review=review, reviewers_per_record=1)
    held = services.screening_next(reviewer=a, review=review, stage="ta")
    services.claims_release(actor=people["lead"], review=review, reviewer=a)
    assert services.screening_next(reviewer=b, review=review, stage="ta").pk == held.pk


def test_a_record_merged_away_leaves_the_queue_and_comes_back_when_unmerged(review, people, screeners,
                                                                           records_to_screen):
    from screening.models import DuplicatePair

    first, second = (i.record for i in records_to_screen[:2])
    pair = DuplicatePair.objects.create(review=review, record_a=first, record_b=second, score=0.9)
    services.duplicate_merge(actor=people["lead"], pair=pair)
    assert ScreeningItem.objects.get(record=second, stage="ta").status == Status.WITHDRAWN
    services.duplicate_unmerge(actor=people["lead"], pair=pair)
    assert ScreeningItem.objects.get(record=second, stage="ta").status == Status.PENDING
