"""List mode for title/abstract screening (#32): a page of records held for one reviewer, with the
claims, blindness and audit trail of the one-at-a-time page."""
from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviewapp import services as review_services
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent
from screening import services
from screening.models import Assignment, Claim, Decision, ScreenerPreference, ScreeningItem

from .conftest import decide

Status = ScreeningItem.Status


def batch(review, user, size=5):
    return services.screening_batch(reviewer=user, review=review, stage="ta", size=size)


def ids(items):
    return [i.pk for i in items]


@pytest.fixture
def third(review, people, make_user):
    person = make_user("reviewer3")
    review_services.member_roles_set(actor=people["lead"], review=review, user=person, roles=["reviewer"])
    return person


# ---------------------------------------------------------------- the service

def test_a_batch_claims_the_next_records_in_queue_order_and_comes_back_until_decided(
        review, screeners, records_to_screen):
    a, _ = screeners
    got = batch(review, a, size=5)
    assert ids(got) == ids(records_to_screen[:5])  # import order, as the single page's queue
    assert set(Claim.objects.filter(reviewer=a).values_list("item_id", flat=True)) == set(ids(got))
    decide(review, a, got[0], "include")
    decide(review, a, got[1], "exclude")
    # The same page comes back (the three still undecided), not topped up.
    assert ids(batch(review, a, size=5)) == ids(got[2:])
    for item in got[2:]:
        decide(review, a, item, "maybe")
    assert not Claim.objects.filter(reviewer=a).exists()
    assert ids(batch(review, a, size=5)) == ids(records_to_screen[5:10])


def test_assigned_records_come_first_then_priority(review, people, screeners, records_to_screen):
    a, _ = screeners
    ScreeningItem.objects.filter(pk=records_to_screen[7].pk).update(priority=5)
    services.records_assign(actor=people["lead"], review=review, record_ids=[records_to_screen[9].record_id],
                            reviewer_id=a.pk, stage="ta")
    got = ids(batch(review, a, size=5))
    assert got[:2] == [records_to_screen[9].pk, records_to_screen[7].pk]
    assert got[2:] == ids(records_to_screen[:3])


def test_dual_screening_never_gives_a_record_to_more_than_two_reviewers(
        review, screeners, third, records_to_screen):
    a, b = screeners
    first, second = batch(review, a, size=5), batch(review, b, size=5)
    assert ids(first) == ids(second)  # each record has two seats: both reviewers hold them
    # A third reviewer gets the other five, never the ones two people hold.
    assert ids(batch(review, third, size=5)) == ids(records_to_screen[5:])
    for item in records_to_screen:
        holders = set(Claim.objects.filter(item=item).values_list("reviewer_id", flat=True))
        assert len(holders) <= 2


def test_single_screening_splits_the_queue_between_reviewers(review, people, screeners, records_to_screen):
    services.screening_settings_update(actor=people["lead"], review=review, reviewers_per_record=1)
    a, b = screeners
    first, second = batch(review, a, size=5), batch(review, b, size=5)
    assert not set(ids(first)) & set(ids(second))
    assert set(ids(first)) | set(ids(second)) == set(ids(records_to_screen))
    assert batch(review, a, size=5) == first  # asked again: the same records, renewed


def test_a_record_that_needs_one_more_decision_is_held_by_one_reviewer_only(
        review, screeners, third, records_to_screen):
    a, b = screeners
    for item in records_to_screen[:5]:
        decide(review, a, item, "include")
    mine = ids(batch(review, b, size=5))
    assert mine == ids(records_to_screen[:5])
    assert not set(ids(batch(review, third, size=5))) & set(mine)


def test_claims_run_out_and_a_lapsed_record_taken_by_others_leaves_the_page(
        review, people, screeners, records_to_screen):
    services.screening_settings_update(actor=people["lead"], review=review, reviewers_per_record=1)
    a, b = screeners
    first = ids(batch(review, a, size=5))
    Claim.objects.filter(reviewer=a).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    taken = ids(batch(review, b, size=5))
    assert taken == first  # the lapsed claims no longer keep the records from others
    # a's records that others hold now are dropped from a's page; the rest of the queue comes instead.
    assert ids(batch(review, a, size=5)) == ids(records_to_screen[5:])
    assert not Claim.objects.filter(reviewer=a, item_id__in=first).exists()


def test_a_renewed_batch_holds_for_another_half_hour(review, screeners, records_to_screen):
    a, _ = screeners
    batch(review, a)
    Claim.objects.filter(reviewer=a).update(expires_at=timezone.now() + datetime.timedelta(minutes=1))
    batch(review, a)
    soonest = Claim.objects.filter(reviewer=a).order_by("expires_at").first().expires_at
    assert soonest > timezone.now() + datetime.timedelta(minutes=services.decisions.CLAIM_MINUTES - 1)


def test_claims_release_lets_go_of_the_whole_batch(review, people, screeners, records_to_screen):
    a, b = screeners
    services.screening_settings_update(actor=people["lead"], review=review, reviewers_per_record=1)
    first = ids(batch(review, a, size=5))
    assert services.claims_release(actor=people["lead"], review=review, reviewer=a) == 5
    assert ids(batch(review, b, size=5)) == first


def test_a_batch_is_for_titles_and_abstracts_and_of_a_sensible_length(review, screeners, records_to_screen):
    a, _ = screeners
    with pytest.raises(ApplicationError, match="full texts are screened one at a time"):
        services.screening_batch(reviewer=a, review=review, stage="ft", size=5)
    for size in (0, 4, 26):
        with pytest.raises(ApplicationError, match="5 to 25"):
            batch(review, a, size=size)


def test_the_single_page_after_list_mode_takes_the_held_records_first(review, screeners, records_to_screen):
    a, _ = screeners
    held = ids(batch(review, a, size=5))
    shown = services.screening_next(reviewer=a, review=review, stage="ta")
    assert shown.pk in held
    decide(review, a, shown, "exclude")
    assert services.screening_next(reviewer=a, review=review, stage="ta").pk in held


def test_the_single_page_still_holds_one_record(review, screeners, records_to_screen):
    a, _ = screeners
    first = services.screening_next(reviewer=a, review=review, stage="ta")
    second = services.screening_next(reviewer=a, review=review, stage="ta", skip=[first.pk])
    assert second.pk != first.pk
    assert list(Claim.objects.filter(reviewer=a).values_list("item_id", flat=True)) == [second.pk]


def test_the_mode_is_remembered_per_person(screeners):
    a, b = screeners
    services.screener_preference_set(user=a, mode="list", batch_size=20)
    assert ScreenerPreference.objects.get(user=a).mode == "list"
    assert not ScreenerPreference.objects.filter(user=b).exists()
    with pytest.raises(ApplicationError):
        services.screener_preference_set(user=a, mode="grid")
    with pytest.raises(ApplicationError):
        services.screener_preference_set(user=a, batch_size=100)


# ---------------------------------------------------------------- the page

def list_url(review):
    return reverse("screen_list", args=[review.pk])


def test_the_page_shows_the_batch_and_stores_each_decision_with_its_audit_event(
        client_for, review, screeners, records_to_screen):
    a, _ = screeners
    services.screener_preference_set(user=a, mode="list", batch_size=5)
    client = client_for(a)
    page = client.get(list_url(review))
    assert page.status_code == 200
    shown = [row["item"].pk for row in page.context["rows"]]
    assert shown == ids(records_to_screen[:5])
    html = page.content.decode()
    assert html.count('class="list-decide"') == 5 and "<kbd>M</kbd>" in html and "<kbd>J</kbd>" in html
    response = client.post(list_url(review), {"item": shown[0], "value": "exclude"})
    assert response.status_code == 302 and response["Location"].endswith(f"#record-{shown[0]}")
    decision = Decision.objects.get(item_id=shown[0], reviewer=a)
    assert decision.value == "exclude"
    event = AuditEvent.objects.get(object_type="screening.Decision", object_id=str(decision.pk))
    assert event.actor == a and event.action == AuditEvent.Action.CREATE
    # The decided record stays on the page, marked, until the page is done.
    again = client.get(list_url(review))
    rows = {row["item"].pk: row for row in again.context["rows"]}
    assert list(rows) == shown and rows[shown[0]]["mine"].value == "exclude"
    assert again.context["undecided"] == 4


def test_the_page_moves_on_when_every_record_is_decided(client_for, review, screeners, records_to_screen):
    a, _ = screeners
    services.screener_preference_set(user=a, mode="list", batch_size=5)
    client = client_for(a)
    first = [row["item"].pk for row in client.get(list_url(review)).context["rows"]]
    for pk in first:
        answer = client.post(list_url(review), {"item": pk, "value": "include"}, HTTP_ACCEPT="application/json")
        assert answer.status_code == 200 and answer.json() == {"saved": True, "item": pk, "value": "include",
                                                               "label": "Include"}
    following = [row["item"].pk for row in client.get(list_url(review)).context["rows"]]
    assert following == ids(records_to_screen[5:])


def test_a_refused_decision_answers_with_the_reason(client_for, review, people, screeners, records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, b, item, "include")
    decide(review, people["lead"], item, "exclude")  # two decisions: the record is in conflict
    client = client_for(a)
    answer = client.post(list_url(review), {"item": item.pk, "value": "include"}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 409 and answer.json()["saved"] is False
    assert not Decision.objects.filter(item=item, reviewer=a).exists()
    page = client.post(list_url(review), {"item": item.pk, "value": "include"}, follow=True)
    assert b"all the decisions it needs" in page.content or b"settled" in page.content


def test_the_page_is_blind_like_the_single_page(client_for, review, people, screeners, records_to_screen):
    a, b = screeners
    for item in records_to_screen[:5]:
        decide(review, b, item, "exclude", note="secret note of b")
    page = client_for(a).get(list_url(review))
    assert [row["item"].pk for row in page.context["rows"]] == ids(records_to_screen)  # ten a page by default
    html = page.content.decode()
    assert "secret note" not in html and "Other reviewers" not in html and b.username not in html
    # Without blind screening, others' decisions show, as on the single page.
    services.screening_settings_update(actor=people["lead"], review=review, blind=False)
    html = client_for(a).get(list_url(review)).content.decode()
    assert "Other reviewers' decisions" in html and b.username in html


def test_keywords_are_highlighted_in_the_list(client_for, review, people, screeners, records_to_screen):
    services.screening_settings_update(actor=people["lead"], review=review, include_keywords="infant*",
                                       exclude_keywords="trial")
    html = client_for(screeners[0]).get(list_url(review)).content.decode()
    assert html.count('<mark class="kw-include">infant</mark>') == 10
    assert '<mark class="kw-exclude">trial</mark>' in html


def test_data_in_titles_is_escaped(client_for, review, screeners, records_to_screen):
    record = records_to_screen[0].record
    record.title = "<script>alert(1)</script> infants"
    record.save(update_fields=["title"])
    html = client_for(screeners[0]).get(list_url(review)).content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_toggle_is_remembered_and_sends_the_single_page_to_the_list(client_for, review, screeners,
                                                                         records_to_screen):
    a, b = screeners
    client = client_for(a)
    single = reverse("screen", args=[review.pk, "ta"])
    assert client.get(single).status_code == 200  # one at a time until chosen otherwise
    response = client.post(reverse("screening_mode", args=[review.pk]), {"mode": "list", "batch_size": "10"})
    assert response.status_code == 302 and response["Location"] == list_url(review)
    assert client.get(single)["Location"] == list_url(review)
    assert len(client.get(list_url(review)).context["rows"]) == 10
    # A record asked for by number still opens one at a time; the full-text stage is never a list.
    assert client.get(single, {"item": records_to_screen[0].pk}).status_code == 200
    assert client.get(reverse("screen", args=[review.pk, "ft"])).status_code == 200
    client.post(reverse("screening_mode", args=[review.pk]), {"mode": "single"})
    assert client.get(single).status_code == 200
    assert ScreenerPreference.objects.get(user=a).batch_size == 10
    assert client_for(b).get(single).status_code == 200  # another person's choice is their own


def test_the_single_page_offers_list_mode(client_for, review, screeners, records_to_screen):
    html = client_for(screeners[0]).get(reverse("screen", args=[review.pk, "ta"])).content.decode()
    assert reverse("screening_mode", args=[review.pk]) in html and 'value="list"' in html


def test_only_assigned_people_hold_assigned_records(review, people, screeners, third, records_to_screen):
    a, b = screeners
    services.records_assign(actor=people["lead"], review=review, record_ids=[records_to_screen[0].record_id],
                            reviewer_id=third.pk, stage="ta")
    assert Assignment.objects.filter(reviewer=third).exists()
    # One seat is kept for the assigned reviewer: only one of a and b may take the other.
    got_a, got_b = ids(batch(review, a, size=5)), ids(batch(review, b, size=5))
    assert (records_to_screen[0].pk in got_a) + (records_to_screen[0].pk in got_b) == 1


# ---------------------------------------------------------------- a note and tags with the decision

def _stored(item, user):
    decision = Decision.objects.get(item=item, reviewer=user)
    events = AuditEvent.objects.filter(object_type="screening.Decision", object_id=str(decision.pk))
    return decision, [(e.actor, e.action, {k: (e.after or {}).get(k) for k in ("value", "note", "tags")})
                      for e in events.order_by("id")]


def test_a_note_and_tags_from_the_list_are_saved_and_audited_as_from_the_single_page(
        client_for, review, screeners, records_to_screen):
    a, _ = screeners
    services.screener_preference_set(user=a, mode="list", batch_size=5)
    client = client_for(a)
    shown = [row["item"] for row in client.get(list_url(review)).context["rows"]]
    sent = {"value": "exclude", "note": "  wrong age group ", "tags": "paediatric, , check later,paediatric"}
    # Without JavaScript (a form post), with it (the same post answered in JSON), and on the single page.
    assert client.post(list_url(review), {"item": shown[0].pk, **sent}).status_code == 302
    answer = client.post(list_url(review), {"item": shown[1].pk, **sent}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200 and answer.json()["saved"] is True
    single = client.post(reverse("screen", args=[review.pk, "ta"]), {"item": shown[2].pk, **sent})
    assert single.status_code == 302
    stored = [_stored(item, a) for item in shown[:3]]
    decision, trail = stored[2]
    assert decision.note == "wrong age group" and decision.tags == ["check later", "paediatric"]
    assert trail == [(a, AuditEvent.Action.CREATE,
                      {"value": "exclude", "note": "wrong age group", "tags": ["check later", "paediatric"]})]
    assert [(d.note, d.tags, t) for d, t in stored[:2]] == [(decision.note, decision.tags, trail)] * 2


def test_the_list_shows_ones_note_and_tags_and_a_changed_note_is_an_audited_change(
        client_for, review, screeners, records_to_screen):
    a, _ = screeners
    services.screener_preference_set(user=a, mode="list", batch_size=5)
    client = client_for(a)
    first = client.get(list_url(review))
    item = first.context["rows"][0]["item"]
    html = first.content.decode()
    # Each undecided record offers both boxes, closed, each labelled with the record for screen readers.
    assert html.count('<details class="list-extra small">') == 5
    number = first.context["rows"][0]["record"].number
    assert (f'<label for="note-{item.pk}">Note<span class="visually-hidden"> on record #{number}</span></label>'
            in html)
    assert f'<textarea name="note" id="note-{item.pk}"' in html and f'name="tags" id="tags-{item.pk}"' in html
    client.post(list_url(review), {"item": item.pk, "value": "include", "note": "<b>RCT</b>", "tags": "rct"},
                HTTP_ACCEPT="application/json")
    again = client.get(list_url(review)).content.decode()
    assert '<details class="list-extra small" open>' in again  # one's note stays in view
    assert "&lt;b&gt;RCT&lt;/b&gt;</textarea>" in again and f'id="tags-{item.pk}" value="rct"' in again
    client.post(list_url(review), {"item": item.pk, "value": "include", "note": "RCT, adults", "tags": "rct"},
                HTTP_ACCEPT="application/json")
    decision, trail = _stored(item, a)
    assert decision.note == "RCT, adults"
    assert [(action, after["note"]) for _, action, after in trail] == [
        (AuditEvent.Action.CREATE, "<b>RCT</b>"), (AuditEvent.Action.UPDATE, "RCT, adults")]


def test_enter_in_the_tags_box_decides_nothing(client_for, review, screeners, records_to_screen):
    """Enter in a text box submits with the form's default button, its first: a disabled one submits nothing."""
    a, _ = screeners
    services.screener_preference_set(user=a, mode="list", batch_size=5)
    html = client_for(a).get(list_url(review)).content.decode()
    forms = html.split('class="list-decide"')[1:]
    assert len(forms) == 5
    for form in forms:
        first_button = form[form.index("<button"):].split(">", 1)[0]
        assert " disabled" in first_button and 'name="value"' not in first_button
