"""A living review's reminders: the protocol says how often searches are run again; a daily beat
task tells the leads (in-app, and by e-mail as they chose) when a run is due, once per due date."""
from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from reviewapp import services as review_services
from reviewapp.notifications.models import Kind, Notification
from reviewapp.notifications.services import notifications_email, preferences_set
from reviewapp.notifications.texts import text_of
from screening import services
from screening.reruns import months_after

from .helpers import make_search

pytestmark = pytest.mark.django_db


def _frozen(day: datetime.date):
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(6, 30)))
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _run_task_on(day: datetime.date) -> int:
    from screening.tasks import search_rerun_reminders

    with _frozen(day):
        return search_rerun_reminders()


def test_months_after_keeps_the_day_or_the_months_last_day():
    assert months_after(datetime.date(2021, 9, 30), 6) == datetime.date(2022, 3, 30)
    assert months_after(datetime.date(2021, 8, 31), 6) == datetime.date(2022, 2, 28)
    assert months_after(datetime.date(2021, 11, 15), 3) == datetime.date(2022, 2, 15)


def test_the_lead_is_reminded_once_per_due_date_and_again_after_the_next_run(review, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lead = people["lead"]
    review_services.review_update(actor=lead, review=review, search_update_months=6)
    search = make_search(review, lead, "MEDLINE")  # run 2021-09-30: due 2022-03-30
    assert _run_task_on(datetime.date(2022, 3, 29)) == 0
    assert _run_task_on(datetime.date(2022, 3, 30)) == 1
    assert _run_task_on(datetime.date(2022, 3, 31)) == 0  # idempotent: one reminder per due date
    assert _run_task_on(datetime.date(2022, 4, 30)) == 0
    notices = Notification.objects.filter(kind=Kind.SEARCH_RERUN)
    assert [n.recipient for n in notices] == [lead]  # leads only, not the reviewers
    assert "1 search is due to be run again" in text_of(notices[0]) and "every 6 months" in text_of(notices[0])
    assert "2022-03-30" in text_of(notices[0])
    # The lead runs it again: the next reminder is due six months after the new run.
    services.search_rerun(actor=lead, search=search, date_run=datetime.date(2022, 4, 2))
    assert _run_task_on(datetime.date(2022, 10, 1)) == 0
    assert _run_task_on(datetime.date(2022, 10, 2)) == 1
    assert Notification.objects.filter(kind=Kind.SEARCH_RERUN).count() == 2


def test_a_review_without_an_interval_is_never_reminded(review, people):
    make_search(review, people["lead"])
    assert _run_task_on(datetime.date(2030, 1, 1)) == 0


def test_the_reminder_reaches_the_leads_e_mail_as_they_chose(review, people, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    lead = people["lead"]
    preferences_set(user=lead, modes={Kind.SEARCH_RERUN: "immediate"})
    review_services.review_update(actor=lead, review=review, search_update_months=12)
    make_search(review, lead)
    assert _run_task_on(datetime.date(2022, 10, 1)) == 1
    notifications_email(mode="immediate")
    assert len(mail.outbox) == 1 and "due to be run again" in mail.outbox[0].body


def test_beat_runs_the_reminder_task_daily():
    from celery.schedules import crontab

    from reviewapp.celery import app
    from screening.tasks import search_rerun_reminders

    entry = settings.CELERY_BEAT_SCHEDULE["search-rerun-reminders"]
    assert entry["task"] == search_rerun_reminders.name and isinstance(entry["schedule"], crontab)
    assert search_rerun_reminders.name in app.tasks


def test_the_protocol_page_and_the_api_set_how_often_searches_are_re_run(review, people, client_for, client):
    from django.urls import reverse

    lead = people["lead"]
    page = client_for(lead).get(reverse("review_edit", args=[review.pk])).content.decode()
    assert 'name="search_update_months"' in page
    _, key = review_services.api_token_create(user=lead, name="t", scope="read-write")
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"}
    url = f"/api/v1/reviews/{review.pk}/"
    assert client.patch(url, {"search_update_months": 0}, content_type="application/json", **headers
                        ).status_code == 400
    answer = client.patch(url, {"search_update_months": 3}, content_type="application/json", **headers)
    assert answer.status_code == 200 and answer.json()["search_update_months"] == 3
    review.refresh_from_db()
    assert review.search_update_months == 3
    dashboard = client_for(lead).get(reverse("review_dashboard", args=[review.pk])).content.decode()
    assert "every 3 months" in dashboard


def test_the_searches_page_says_which_runs_are_due_and_when_the_next_one_is(review, people, client_for):
    from django.urls import reverse

    lead = people["lead"]
    review_services.review_update(actor=lead, review=review, search_update_months=6)
    make_search(review, lead, "MEDLINE")  # 2021-09-30: due 2022-03-30
    make_search(review, lead, "Embase", date_run=datetime.date(2022, 2, 1))  # due 2022-08-01
    with _frozen(datetime.date(2022, 4, 1)):
        page = client_for(lead).get(reverse("search_list", args=[review.pk])).content.decode()
    assert "run again every 6 months" in page
    assert "Due now:" in page and "MEDLINE</a> (since 2022-03-30)" in page and "Next due 2022-08-01." in page
