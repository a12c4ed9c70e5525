"""The screening pages, as each role uses them; blind screening stays blind on every page."""
from __future__ import annotations

import pytest
from django.urls import reverse

from reviewapp.models import AuditEvent
from screening import services
from screening.models import Decision, FullText, RecordCorrection, ScreeningItem

from .conftest import decide

Status = ScreeningItem.Status


def test_a_reviewer_screens_with_the_page_and_gets_the_next_record(client_for, review, screeners, records_to_screen):
    client = client_for(screeners[0])
    url = reverse("screen", args=[review.pk, "ta"])
    page = client.get(url)
    first = page.context["item"]
    assert page.status_code == 200 and first is not None
    assert b"<kbd>I</kbd>" in page.content and b"Eligibility criteria" in page.content
    response = client.post(url, {"item": first.pk, "value": "include", "note": "fits", "tags": "rct, mothers"})
    assert response.status_code == 302
    decision = Decision.objects.get(item=first, reviewer=screeners[0])
    assert (decision.value, decision.note, decision.tags) == ("include", "fits", ["mothers", "rct"])
    assert client.get(url).context["item"].pk != first.pk


def test_a_double_post_stores_one_decision(client_for, review, screeners, records_to_screen):
    client = client_for(screeners[0])
    url = reverse("screen", args=[review.pk, "ta"])
    item = client.get(url).context["item"]
    for _ in range(2):
        assert client.post(url, {"item": item.pk, "value": "exclude"}).status_code == 302
    assert Decision.objects.filter(item=item).count() == 1


def test_skip_and_previous_and_undo(client_for, review, screeners, records_to_screen):
    client = client_for(screeners[0])
    url = reverse("screen", args=[review.pk, "ta"])
    first = client.get(url).context["item"]
    client.get(url, {"skip": first.pk})
    second = client.get(url).context["item"]
    assert second.pk != first.pk
    client.post(url, {"item": second.pk, "value": "exclude"})
    previous = client.get(url, {"item": second.pk})
    assert previous.context["mine"].value == "exclude"
    client.post(reverse("screen_undo", args=[review.pk, "ta"]))
    assert not Decision.objects.filter(item=second).exists()


def test_keywords_are_highlighted_on_the_screen_page(client_for, review, people, screeners, records_to_screen):
    services.screening_settings_update(actor=people["lead"], review=review, include_keywords="infant*",
                                       exclude_keywords="trial")
    page = client_for(screeners[0]).get(reverse("screen", args=[review.pk, "ta"]))
    assert b'<mark class="kw-include">infant</mark>' in page.content
    assert b'<mark class="kw-exclude">trial</mark>' in page.content


@pytest.mark.parametrize("who", ["viewer", "extractor"])
def test_people_who_do_not_screen_get_403_on_the_screen_page(client_for, review, people, who):
    assert client_for(people[who]).get(reverse("screen", args=[review.pk, "ta"])).status_code == 403


def test_outsiders_get_404_everywhere(client_for, review, people, records_to_screen):
    client = client_for(people["outsider"])
    for name, args in [("screening_home", []), ("screen", ["ta"]), ("conflict_list", []), ("agreement", []),
                       ("my_decisions", []), ("study_list", []), ("decisions_log", [])]:
        assert client.get(reverse(name, args=[review.pk, *args])).status_code == 404, name


def _blind_pages(review, item):
    return [
        reverse("screen", args=[review.pk, "ta"]) + f"?item={item.pk}",
        reverse("record_detail", args=[review.pk, item.record_id]),
        reverse("my_decisions", args=[review.pk]),
        reverse("screening_home", args=[review.pk]),
        reverse("review_dashboard", args=[review.pk]),
        reverse("record_list", args=[review.pk]),
        reverse("record_export_csv", args=[review.pk]),
        reverse("record_export_ris", args=[review.pk]),
    ]


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _shows_nothing_of(client, review, item, secret: bytes) -> None:
    for url in _blind_pages(review, item):
        response = client.get(url)
        assert response.status_code == 200, url
        assert secret not in _body(response), url


def test_blind_screening_hides_the_other_decision_on_every_page_until_settled(client_for, review, people, screeners,
                                                                              records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include", note="SECRET-NOTE-OF-A")
    client = client_for(b)
    client.get(reverse("screen", args=[review.pk, "ta"]))  # b now has this record on screen
    _shows_nothing_of(client, review, item, b"SECRET-NOTE-OF-A")
    screen = client.get(reverse("screen", args=[review.pk, "ta"]))
    assert screen.context["others"] == []
    decide(review, b, item, "exclude")  # now in conflict: still nothing of a's decision for b
    _shows_nothing_of(client, review, item, b"SECRET-NOTE-OF-A")
    screen = client.get(reverse("screen", args=[review.pk, "ta"]) + f"?item={item.pk}")
    assert screen.context["others"] == [] and screen.context["mine"].value == "exclude"
    assert b"in conflict: neither decision" in screen.content and b'id="decision-form"' not in screen.content
    services.conflict_resolve(actor=people["lead"], review=review, item_id=item.pk, value="include")
    screen = client.get(reverse("screen", args=[review.pk, "ta"]) + f"?item={item.pk}")
    assert [d.reviewer for d in screen.context["others"]] == [a] and b"SECRET-NOTE-OF-A" in screen.content


def test_probe_and_undo_is_refused_on_the_pages(client_for, review, people, screeners, records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    client = client_for(b)
    url = reverse("screen", args=[review.pk, "ta"])
    client.post(url, {"item": item.pk, "value": "exclude"})
    item.refresh_from_db()
    assert item.status == Status.CONFLICT
    undo = client.post(reverse("screen_undo", args=[review.pk, "ta"]), follow=True)
    assert "in conflict" in " ".join(str(m) for m in undo.context["messages"])
    again = client.post(url, {"item": item.pk, "value": "include", "return": "mine"}, follow=True)
    assert "in conflict" in " ".join(str(m) for m in again.context["messages"])
    assert Decision.objects.get(item=item, reviewer=b).value == "exclude"
    mine = client.get(reverse("my_decisions", args=[review.pk]))
    assert b"frozen until the conflict is resolved" in mine.content
    assert f"?item={item.pk}&amp;return=mine".encode() not in mine.content
    item.refresh_from_db()
    assert item.status == Status.CONFLICT


def test_the_leads_log_hides_values_of_records_still_waiting(client_for, review, people, screeners,
                                                             records_to_screen):
    a, _ = screeners
    decide(review, a, records_to_screen[0], "include")
    page = client_for(people["lead"]).get(reverse("decisions_log", args=[review.pk]))
    assert b"hidden until the record is settled or in conflict" in page.content


def test_without_blinding_the_other_decision_is_shown(client_for, review, people, screeners, records_to_screen):
    services.screening_settings_update(actor=people["lead"], review=review, blind=False)
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include", note="visible note")
    page = client_for(b).get(reverse("screen", args=[review.pk, "ta"]) + f"?item={item.pk}")
    assert b"visible note" in page.content


def test_the_lead_resolves_a_conflict_on_its_page(client_for, review, people, screeners, records_to_screen):
    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include", note="note of a")
    decide(review, b, item, "exclude", note="note of b")
    client = client_for(people["lead"])
    page = client.get(reverse("conflict_resolve", args=[review.pk, item.pk]))
    assert b"note of a" in page.content and b"note of b" in page.content
    client.post(reverse("conflict_resolve", args=[review.pk, item.pk]), {"value": "include", "note": "ok"})
    item.refresh_from_db()
    assert item.status == Status.INCLUDED


def test_a_reviewer_cannot_resolve_unless_named_the_third_reviewer(client_for, review, people, screeners,
                                                                   records_to_screen, make_user):
    from reviewapp import services as review_services

    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include", note="note of a")
    decide(review, b, item, "exclude")
    url = reverse("conflict_resolve", args=[review.pk, item.pk])
    assert client_for(b).get(url).status_code == 403
    assert client_for(people["viewer"]).get(url).status_code == 403
    # Named third reviewer, but a party to this conflict: the page says why and shows only b's own decision.
    services.screening_settings_update(actor=people["lead"], review=review, conflict_resolver=b)
    page = client_for(b).get(url)
    assert page.status_code == 200 and b"decided on this record yourself" in page.content
    assert b"note of a" not in page.content and b'name="value"' not in page.content
    assert client_for(b).get(reverse("conflict_list", args=[review.pk])).context["page"].paginator.count == 0
    assert b"Resolve 1 screening conflict" not in client_for(b).get(reverse("review_dashboard", args=[review.pk])
                                                                     ).content
    client_for(b).post(url, {"value": "exclude"})
    item.refresh_from_db()
    assert item.status == Status.CONFLICT
    third = make_user("third")
    review_services.member_roles_set(actor=people["lead"], review=review, user=third, roles=["reviewer"])
    services.screening_settings_update(actor=people["lead"], review=review, conflict_resolver=third)
    page = client_for(third).get(url)
    assert b"note of a" in page.content
    assert b"Resolve 1 screening conflict" in client_for(third).get(reverse("review_dashboard", args=[review.pk])
                                                                    ).content
    client_for(third).post(url, {"value": "exclude"})
    item.refresh_from_db()
    assert item.status == Status.EXCLUDED


def test_the_settings_page_offers_only_screeners_as_third_reviewer(client_for, review, people, screeners):
    page = client_for(people["lead"]).get(reverse("screening_settings", args=[review.pk]))
    offered = set(page.context["form"].fields["conflict_resolver"].queryset)
    assert offered == {people["lead"], people["reviewer_extractor"], *screeners}


def test_full_text_upload_takes_pdfs_only_and_serves_them_to_members(client_for, review, people, screeners,
                                                                     records_to_screen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    a, b = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    decide(review, b, item, "include")
    record = item.record
    client = client_for(a)
    url = reverse("fulltext", args=[review.pk, record.pk])
    client.post(url, {"file": SimpleUploadedFile("paper.pdf", b"<html>not a pdf</html>")})
    assert not FullText.objects.filter(record=record).exists()
    client.post(url, {"file": SimpleUploadedFile("paper.pdf", b"%PDF-1.4\n%test\n")})
    assert FullText.objects.get(record=record).size == 15
    response = client_for(people["viewer"]).get(url)
    assert response["Content-Type"] == "application/pdf"
    assert client_for(people["outsider"]).get(url).status_code == 404
    screen = client_for(a).get(reverse("screen", args=[review.pk, "ft"]))
    assert screen.context["fulltext"] is not None and b"<iframe" in screen.content


def test_a_reviewer_mends_a_garbled_title_and_the_original_is_kept(client_for, review, screeners, records_to_screen):
    record = records_to_screen[0].record
    original = record.title
    client_for(screeners[0]).post(reverse("record_mend", args=[review.pk, record.pk]),
                                  {"field": "title", "text": "A mended title"})
    record.refresh_from_db()
    assert record.title == "A mended title"
    assert RecordCorrection.objects.get(record=record).original == original
    assert AuditEvent.objects.filter(object_label__contains="mended").exists()


def test_a_decision_is_changed_from_the_list_of_ones_own(client_for, review, screeners, records_to_screen):
    a, _ = screeners
    item = records_to_screen[0]
    decide(review, a, item, "include")
    client = client_for(a)
    page = client.get(reverse("my_decisions", args=[review.pk]), {"value": "include"})
    assert page.context["page"].paginator.count == 1 and b"change" in page.content
    client.post(reverse("screen", args=[review.pk, "ta"]), {"item": item.pk, "value": "exclude", "return": "mine"})
    assert Decision.objects.get(item=item).value == "exclude"


def test_agreement_page_for_the_lead(client_for, review, people, screeners, records_to_screen):
    a, b = screeners
    for n, item in enumerate(records_to_screen):
        decide(review, a, item, "include" if n < 3 else "exclude")
        decide(review, b, item, "include" if n < 4 else "exclude")
    page = client_for(people["lead"]).get(reverse("agreement", args=[review.pk]))
    row = page.context["rows"][0]
    assert row.result.n == 10 and row.result.percent == pytest.approx(90.0)
    # Kappa 0.78: its Wald interval would end at 1.18; the page shows it cut at 1 and says how.
    html = page.content.decode()
    assert "0.78 (0.39 to 1.00)" in html and "Cohen's kappa (95% CI)" in html
    assert "truncated to [-1, 1]" in html
    assert client_for(a).get(reverse("agreement", args=[review.pk])).status_code == 403


def test_the_dashboard_to_dos_agree_with_the_queue(client_for, review, screeners, records_to_screen):
    client = client_for(screeners[0])
    page = client.get(reverse("review_dashboard", args=[review.pk]))
    assert any(t.text == "Screen 10 records (title and abstract)" for t in page.context["todos"])
    for item in records_to_screen:
        decide(review, screeners[0], item, "exclude")
    page = client.get(reverse("review_dashboard", args=[review.pk]))
    assert not [t for t in page.context["todos"] if t.text.startswith("Screen ")]


def test_screening_settings_are_saved_by_the_lead(client_for, review, people, screeners):
    client = client_for(people["lead"])
    url = reverse("screening_settings", args=[review.pk])
    response = client.post(url, {"reviewers_per_record": 1, "blind": "", "criteria": "Children under five",
                                 "include_keywords": "infant*", "exclude_keywords": "", "prioritise": "",
                                 "exclusion_reasons": "Wrong population\nOther", "conflict_resolver": screeners[1].pk})
    assert response.status_code == 302
    cfg = review.screening_settings
    assert (cfg.reviewers_per_record, cfg.blind, cfg.exclusion_reasons) == (1, False, ["Wrong population", "Other"])
    assert cfg.conflict_resolver == screeners[1]
    assert client_for(screeners[0]).post(url, {"reviewers_per_record": 2}).status_code == 403


def test_records_included_at_a_stage_export_as_ris(client_for, review, people, screeners, records_to_screen):
    a, b = screeners
    for item in records_to_screen[:2]:
        decide(review, a, item, "include")
        decide(review, b, item, "maybe")
    response = client_for(people["viewer"]).get(reverse("record_export_ris", args=[review.pk]),
                                                {"stage": "ta_included"})
    body = _body(response).decode()
    assert body.count("TY  - ") == 2
    assert records_to_screen[0].record.title in body


def test_a_possible_duplicate_of_a_screened_record_is_flagged_with_its_pair(review, screeners, records_to_screen):
    from screening.models import DuplicatePair
    from screening.selectors import screened_duplicate_pair

    first, second = (i.record for i in records_to_screen[:2])
    pair = DuplicatePair.objects.create(review=review, record_a=first, record_b=second, score=0.8)
    assert screened_duplicate_pair(record=second) is None  # the other one is not screened yet
    decide(review, screeners[0], records_to_screen[0], "include")
    assert screened_duplicate_pair(record=second) == pair
    assert screened_duplicate_pair(record=first) is None  # the second record has no decision
    pair.status = DuplicatePair.Status.KEPT_APART
    pair.save()
    assert screened_duplicate_pair(record=second) is None
