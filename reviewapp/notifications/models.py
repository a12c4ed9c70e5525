"""What a person is told (a notification) and how they want to hear of it by e-mail.

Models of the `reviewapp` app (imported by reviewapp.models); the archive leaves them out: they
belong to the people of this site, not to the review's record.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    CONFLICT = "conflict", "Screening conflicts waiting for me"
    NEW_RECORDS = "new_records", "New records in my screening queue"
    CONSENSUS = "consensus", "Extractions and appraisals awaiting my consensus"
    ANALYSIS = "analysis", "My analysis runs finished or failed"
    INVITATION = "invitation", "Invitations I sent, accepted"
    SEARCH_RERUN = "search_rerun", "Searches due to be run again (leads of a living review)"


class EmailMode(models.TextChoices):
    OFF = "off", "No e-mail"
    IMMEDIATE = "immediate", "At once (within a few minutes)"
    DAILY = "daily", "A daily digest"


class Notification(models.Model):
    """One thing a member of a review should know. Notices of one ``group`` (e.g. conflicts at
    one stage) add to the unread, not yet e-mailed one: ``count`` says how many it stands for."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    review = models.ForeignKey("reviewapp.Review", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What the text is made of (names, stage, status), rendered by reviewapp.notifications.texts.
    params = models.JSONField(default=dict, blank=True)
    count = models.PositiveIntegerField(default=1)
    group = models.CharField(max_length=100, blank=True)
    link = models.CharField(max_length=500, help_text="A path of this site.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread"),
                   models.Index(fields=["emailed_at", "read_at"], name="notification_to_email")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class NotificationPreference(models.Model):
    """How a person hears of one kind by e-mail; the row with an empty ``kind`` is their choice for
    every kind without a row of its own. Without any row: a daily digest."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notification_preferences")
    kind = models.CharField(max_length=20, choices=Kind.choices, blank=True)
    email = models.CharField(max_length=10, choices=EmailMode.choices, default=EmailMode.DAILY)

    class Meta:
        ordering = ["user", "kind"]
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind or 'all'}: {self.email}"
