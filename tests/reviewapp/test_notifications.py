"""Notifications (reviewapp.notifications): who is told, the bell and the page, the API twins,
e-mail at once and as a daily digest (each sent once), and the signed unsubscribe link."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from reviewapp import services as review_services
from reviewapp.notifications import services
from reviewapp.notifications.models import EmailMode, Kind, Notification
from reviewapp.notifications.services import notifications_email, notify

pytestmark = pytest.mark.django_db

MEMBERS_LINK = "/reviews/1/members/"


@pytest.fixture(autouse=True)
def _mail_kept(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "https://reviews.example.org"


def _tell(review, *people, kind=Kind.INVITATION, **extra):
    params = extra.pop("params", {"person": "someone", "roles": "Viewer"})
    return notify(review=review, kind=kind, recipients=people, link=reverse("review_members", args=[review.pk]),
                  params=params, **extra)


# ---------------------------------------------------------------- who is told

def test_only_members_of_the_review_are_told(review, people):
    made = _tell(review, people["lead"], people["outsider"], people["viewer"])
    assert sorted(n.recipient.username for n in made) == ["lead", "viewer"]
    assert not Notification.objects.filter(recipient=people["outsider"]).exists()


def test_a_review_left_no_longer_speaks_to_its_former_member(review, people, client_for):
    _tell(review, people["viewer"])
    review_services.member_roles_set(actor=people["lead"], review=review, user=people["viewer"], roles=[])
    page = client_for(people["viewer"]).get(reverse("notifications")).content.decode()
    assert "No notifications yet" in page
    assert client_for(people["viewer"]).get(reverse("api_notifications")).json()["count"] == 0


def test_the_inviter_is_told_when_an_invitation_is_accepted_and_nobody_else(review, people, make_user):
    newcomer = make_user("newcomer")
    invitation = review_services.invitation_create(actor=people["lead"], review=review, identifier="newcomer",
                                                   roles=["reviewer", "viewer"], site_url="http://testserver/")
    assert not Notification.objects.exists()
    review_services.invitation_accept(user=newcomer, invitation_id=invitation.pk)
    told = list(Notification.objects.all())
    assert [(n.recipient.username, n.kind) for n in told] == [("lead", Kind.INVITATION)]
    assert services.texts.text_of(told[0]) == "newcomer accepted your invitation and joined as Reviewer, Viewer."
    assert told[0].link == reverse("review_members", args=[review.pk])


def test_notices_of_one_group_add_up_until_read(review, people):
    for _ in range(3):
        notify(review=review, kind=Kind.CONFLICT, recipients=[people["lead"]], params={"stage": "ta"},
               group="conflict:ta", link="/one/", link_many="/all/")
    only = Notification.objects.get()
    assert (only.count, only.link) == (3, "/all/")
    assert services.texts.text_of(only).startswith("3 records are in conflict at title and abstract screening")
    services.notification_mark_read(user=people["lead"], notification_id=only.pk)
    notify(review=review, kind=Kind.CONFLICT, recipients=[people["lead"]], params={"stage": "ta"},
           group="conflict:ta", link="/one/")
    fresh = Notification.objects.exclude(pk=only.pk).get()
    assert fresh.count == 1 and services.texts.text_of(fresh).startswith("1 record is in conflict")


# ---------------------------------------------------------------- the bell, the page, the API

def test_the_bell_counts_unread_and_the_page_marks_read(review, people, client_for):
    first, second = _tell(review, people["lead"]), _tell(review, people["lead"])
    client = client_for(people["lead"])
    home = client.get(reverse("home")).content.decode()
    assert 'class="bell has-unread"' in home and '<span class="bell-count">2<span class="visually-hidden"> unread' \
        in home
    answer = client.post(reverse("notification_read", args=[first[0].pk]), {"open": "1"})
    assert answer.status_code == 302 and answer["Location"] == reverse("review_members", args=[review.pk])
    assert '<span class="bell-count">1<' in client.get(reverse("home")).content.decode()
    client.post(reverse("notifications_read_all"))
    assert 'class="bell"' in client.get(reverse("home")).content.decode()
    assert Notification.objects.filter(read_at__isnull=True).count() == 0 and second


def test_nobody_marks_anothers_notification_read(review, people, client_for):
    notice = _tell(review, people["viewer"])[0]
    client_for(people["lead"]).post(reverse("notification_read", args=[notice.pk]))
    assert client_for(people["lead"]).post(reverse("api_notification_read", args=[notice.pk])).status_code == 400
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_link_elsewhere_is_not_followed_on_open(review, people, client_for):
    notice = notify(review=review, kind=Kind.INVITATION, recipients=[people["lead"]], link="//evil.example/",
                    params={"person": "x", "roles": "Viewer"})[0]
    answer = client_for(people["lead"]).post(reverse("notification_read", args=[notice.pk]), {"open": "1"})
    assert answer["Location"] == reverse("notifications")


def test_the_page_escapes_names_from_data(review, people, client_for):
    _tell(review, people["lead"], params={"person": "<script>alert(1)</script>", "roles": "Viewer"})
    page = client_for(people["lead"]).get(reverse("notifications")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; accepted your invitation" in page
    assert "<script>alert(1)" not in page


def test_the_api_lists_marks_and_sets_the_same_as_the_page(review, people, client_for):
    first = _tell(review, people["lead"])[0]
    _tell(review, people["lead"])
    client = client_for(people["lead"])
    listed = client.get(reverse("api_notifications") + "?unread=true").json()
    assert listed["count"] == 2 and listed["results"][0]["text"].endswith("joined as Viewer.")
    assert client.post(reverse("api_notification_read", args=[first.pk])).json()["read"] is True
    assert client.get(reverse("api_notifications") + "?unread=true").json()["count"] == 1
    assert client.post(reverse("api_notifications_read_all")).json() == {"marked": 1}
    answer = client.patch(reverse("api_notification_preferences"), {"conflict": "immediate"},
                          content_type="application/json")
    assert answer.json()["conflict"] == "immediate" and answer.json()["analysis"] == "daily"
    refused = client.patch(reverse("api_notification_preferences"), {"conflicts": "off"},
                           content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "conflicts"
    bad_mode = client.patch(reverse("api_notification_preferences"), {"conflict": "hourly"},
                            content_type="application/json")
    assert bad_mode.status_code == 400
    # The page's form saves the same choices through the same service.
    client.post(reverse("notifications"), {kind: EmailMode.OFF for kind in Kind.values})
    assert client.get(reverse("api_notification_preferences")).json() == {k: "off" for k in Kind.values}


def test_a_token_limited_to_one_review_sees_only_its_notifications(review, people):
    from rest_framework.test import APIClient

    other = review_services.review_create(creator=people["lead"], title="Another review")
    _tell(review, people["lead"])
    _tell(other, people["lead"])
    _, key = review_services.api_token_create(user=people["lead"], name="one review", scope="read-write",
                                              review=other)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    listed = client.get(reverse("api_notifications")).json()
    assert [n["review"] for n in listed["results"]] == [other.pk]
    assert client.post(reverse("api_notifications_read_all")).json() == {"marked": 1}
    assert client.patch(reverse("api_notification_preferences"), {"conflict": "off"}, format="json").status_code \
        == 403


# ---------------------------------------------------------------- e-mail

def test_immediate_mail_goes_once_with_each_item_and_its_links(review, people):
    services.preferences_set(user=people["lead"], modes={Kind.INVITATION: EmailMode.IMMEDIATE})
    _tell(review, people["lead"], people["viewer"])  # the viewer keeps the daily default
    assert notifications_email(mode=EmailMode.IMMEDIATE) == 1
    assert notifications_email(mode=EmailMode.IMMEDIATE) == 0  # run again (a retry): nothing twice
    [message] = mail.outbox
    assert message.to == ["lead@example.org"]
    assert "someone accepted your invitation" in message.subject
    assert f"https://reviews.example.org{reverse('review_members', args=[review.pk])}" in message.body
    assert review.title in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get(recipient=people["viewer"]).emailed_at is None


def test_the_daily_digest_groups_a_persons_items_in_one_mail_sent_once(review, people):
    other = review_services.review_create(creator=people["lead"], title="Another review")
    _tell(review, people["lead"])
    for _ in range(2):
        notify(review=other, kind=Kind.CONFLICT, recipients=[people["lead"]], params={"stage": "ft"},
               group="conflict:ft", link="/x/")
    notify(review=other, kind=Kind.ANALYSIS, recipients=[people["lead"]], link="/run/",
           params={"name": "Depression", "number": 2, "status": "failed", "error": "No study has data."})
    assert notifications_email(mode=EmailMode.IMMEDIATE) == 0  # the default is the digest
    assert notifications_email(mode=EmailMode.DAILY) == 1
    assert notifications_email(mode=EmailMode.DAILY) == 0
    [message] = mail.outbox
    assert message.subject == "Your daily digest: 3 new notifications"
    body = message.body
    assert "Parent-infant psychotherapy" in body and "Another review" in body
    assert "2 records are in conflict at full text screening" in body
    assert "Your analysis “Depression” failed (run 2): No study has data." in body
    assert body.count("Stop e-mail of") == 3  # one link per kind in this mail, then one for all


def test_read_items_and_people_who_chose_no_mail_get_none(review, people):
    services.preferences_set(user=people["viewer"], modes={Kind.INVITATION: EmailMode.OFF})
    _tell(review, people["viewer"])
    read = _tell(review, people["lead"])[0]
    services.notification_mark_read(user=people["lead"], notification_id=read.pk)
    assert notifications_email(mode=EmailMode.DAILY) == 0
    assert mail.outbox == []


def test_a_failed_send_leaves_the_items_due_for_the_next_run(review, people, monkeypatch):
    _tell(review, people["lead"])

    def refuse(self, *args, **kwargs):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", refuse)
    assert notifications_email(mode=EmailMode.DAILY) == 0
    assert Notification.objects.get().emailed_at is None
    monkeypatch.undo()
    assert notifications_email(mode=EmailMode.DAILY) == 1


# ---------------------------------------------------------------- unsubscribing

def _unsubscribe_link(message) -> str:
    line = next(line for line in message.body.splitlines() if line.startswith("Stop all notification e-mail"))
    return line.split(": ", 1)[1].replace("https://reviews.example.org", "")


def test_the_unsubscribe_link_works_signed_out_after_a_confirmation(review, people, client):
    _tell(review, people["lead"])
    notifications_email(mode=EmailMode.DAILY)
    link = _unsubscribe_link(mail.outbox[0])
    asked = client.get(link)
    assert asked.status_code == 200 and "Stop all notification e-mail for the account lead?" in asked.content.decode()
    assert services.email_modes(user=people["lead"])[Kind.INVITATION] == EmailMode.DAILY  # the GET changed nothing
    client.post(link)
    assert set(services.email_modes(user=people["lead"]).values()) == {EmailMode.OFF}
    _tell(review, people["lead"])
    assert notifications_email(mode=EmailMode.DAILY) == 0


def test_a_kinds_link_turns_off_that_kind_only_and_only_for_its_person(review, people, client):
    token = services.unsubscribe_token(user=people["viewer"], kind=Kind.CONFLICT)
    client.post(reverse("notifications_unsubscribe", args=[token]))
    modes = services.email_modes(user=people["viewer"])
    assert modes[Kind.CONFLICT] == EmailMode.OFF and modes[Kind.ANALYSIS] == EmailMode.DAILY
    assert set(services.email_modes(user=people["lead"]).values()) == {EmailMode.DAILY}


def test_an_altered_link_is_refused_and_changes_nothing(people, client):
    viewers = services.unsubscribe_token(user=people["viewer"], kind=Kind.CONFLICT)
    leads = services.unsubscribe_token(user=people["lead"], kind=Kind.CONFLICT)
    # The lead's payload under the viewer's signature: not made here, so refused.
    forged = leads.rsplit(":", 1)[0] + ":" + viewers.rsplit(":", 1)[1]
    answer = client.post(reverse("notifications_unsubscribe", args=[forged]))
    assert answer.status_code == 400 and "not valid" in answer.content.decode()
    assert set(services.email_modes(user=people["viewer"]).values()) == {EmailMode.DAILY}
    assert set(services.email_modes(user=people["lead"]).values()) == {EmailMode.DAILY}


# ---------------------------------------------------------------- the clock

def test_beat_sends_immediate_mail_every_few_minutes_and_the_digest_daily():
    from celery.schedules import crontab

    from reviewapp.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    immediate, daily = schedule["notifications-immediate"], schedule["notifications-daily-digest"]
    assert (immediate["task"], immediate["args"]) == ("reviewapp.notifications_email", ["immediate"])
    assert immediate["schedule"] <= 10 * 60
    assert (daily["task"], daily["args"]) == ("reviewapp.notifications_email", ["daily"])
    assert isinstance(daily["schedule"], crontab) and daily["schedule"].hour == {settings.NOTIFICATIONS_DIGEST_HOUR}
    from reviewapp.tasks import notifications_email as task  # what beat names is a task the worker knows

    assert task.name == "reviewapp.notifications_email" and task.name in app.tasks


def test_make_runs_worker_also_runs_beat_with_its_schedule_under_var():
    from reviewapp.management.commands.serve import worker_args

    args = worker_args()
    assert "-B" in args and f"--schedule={settings.VAR_DIR / 'celerybeat-schedule'}" in args


def test_the_task_sends_what_is_due(review, people):
    from reviewapp.tasks import notifications_email as task

    _tell(review, people["lead"])
    assert task.delay("daily").get() == 1
    assert len(mail.outbox) == 1
