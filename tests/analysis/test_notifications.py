"""Analyses' notifications: whoever asked for a run is told how it ended (done or failed, with
the reason), nobody else; a run they cancelled themselves tells nobody."""
from __future__ import annotations

import pytest

from analysis import services
from reviewapp import services as review_services
from reviewapp.notifications.models import Kind, Notification
from reviewapp.notifications.texts import text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_lead(review, people, make_user):
    lead2 = make_user("lead2")
    review_services.member_roles_set(actor=people["lead"], review=review, user=lead2, roles=["lead"])
    return lead2


def _run(analysis, who, capture):
    with capture(execute=True):
        run = services.analysis_run_request(actor=who, analysis=analysis)
    run.refresh_from_db()
    return run


def test_the_requester_alone_is_told_a_run_finished(review, people, outcomes, studies, second_lead,
                                                     django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])
    run = _run(analysis, second_lead, django_capture_on_commit_callbacks)
    assert run.status == "done", run.error
    [notice] = Notification.objects.filter(kind=Kind.ANALYSIS)
    assert notice.recipient == second_lead
    assert text_of(notice) == f"Your analysis “{analysis.name}” finished (run 1)."
    assert notice.link.endswith(f"/analyses/runs/{run.pk}/")


def test_a_failed_run_says_why(review, people, outcomes, studies, django_capture_on_commit_callbacks):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Infant attachment"],
                                        timepoint="no such time point")
    run = _run(analysis, people["lead"], django_capture_on_commit_callbacks)
    assert run.status == "failed"
    notice = Notification.objects.get(kind=Kind.ANALYSIS, recipient=people["lead"])
    assert text_of(notice).startswith(f"Your analysis “{analysis.name}” failed (run 1): No study enters this analysis")


def test_cancelling_ones_own_run_tells_nobody_but_another_leads_cancel_tells_the_requester(
        review, people, outcomes, studies, second_lead):
    analysis = services.analysis_create(actor=people["lead"], review=review, outcome=outcomes["Parental depression"])
    mine = services.analysis_run_request(actor=people["lead"], analysis=analysis, enqueue=False)
    services.analysis_run_cancel(actor=people["lead"], run=mine)
    assert not Notification.objects.filter(kind=Kind.ANALYSIS).exists()
    theirs = services.analysis_run_request(actor=second_lead, analysis=analysis, enqueue=False)
    services.analysis_run_cancel(actor=people["lead"], run=theirs)
    notice = Notification.objects.get(kind=Kind.ANALYSIS)
    assert notice.recipient == second_lead and "was cancelled (run 2)" in text_of(notice)
