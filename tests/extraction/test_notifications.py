"""Extraction's and appraisal's notifications: both entries done tells whoever may settle them
(never what either entered, and nobody before both are done)."""
from __future__ import annotations

import pytest

from extraction import services
from reviewapp.notifications.models import Kind, Notification
from reviewapp.notifications.texts import text_of
from tests.extraction.conftest import BASE, answers_post, posted

pytestmark = pytest.mark.django_db


def _save(template, study, user, **values):
    inputs = {**BASE, **values}
    result = services.entry_save(actor=user, template=template, study=study, answers=posted(template, **inputs),
                                 draft=answers_post(**inputs), done=True)
    assert result.saved, result.errors


def _told() -> dict[str, int]:
    return {n.recipient.username: n.count for n in Notification.objects.filter(kind=Kind.CONSENSUS)}


def test_both_entries_done_tell_the_leads_and_not_the_extractors(builtin, studies, extractors, people):
    Notification.objects.all().delete()
    _save(builtin, studies[0], extractors[0], **{"f-programme": "Secret programme A"})
    assert _told() == {}
    _save(builtin, studies[0], extractors[1], **{"f-programme": "Secret programme B"})
    assert _told() == {"lead": 1}
    notice = Notification.objects.get(kind=Kind.CONSENSUS)
    assert text_of(notice) == f"1 study's extraction on “{builtin.name}” awaits your consensus."
    assert "Secret programme" not in str(notice.params) + text_of(notice)
    assert notice.link.endswith(f"/extraction/forms/{builtin.pk}/studies/{studies[0].pk}/compare/")


def test_the_named_settler_is_told_of_studies_they_did_not_fill(review, builtin, studies, extractors, people,
                                                                 make_user):
    from reviewapp import services as review_services

    third = make_user("third")
    review_services.member_roles_set(actor=people["lead"], review=review, user=third, roles=["extractor"])
    services.template_settler_set(actor=people["lead"], template=builtin, settler=third)
    for study in studies[:2]:
        _save(builtin, study, extractors[0])
        _save(builtin, study, extractors[1], **{"f-format": "Group"})
    assert _told() == {"lead": 2, "third": 2}
    assert text_of(Notification.objects.get(kind=Kind.CONSENSUS, recipient=third)).startswith(
        "2 studies' extractions on")
    # A settler who filled one of the two entries may not settle it, so is not told.
    services.template_settler_set(actor=people["lead"], template=builtin, settler=extractors[0])
    _save(builtin, studies[2], extractors[0])
    _save(builtin, studies[2], extractors[1])
    assert _told() == {"lead": 3, "third": 2}
