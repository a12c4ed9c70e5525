"""The review itself: its protocol, its people and their roles, and the audit trail."""
from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

SHORT_NAME_LENGTH = 80
_PHRASE_END = re.compile(r"[(;:,.\n]")


def short_name(text: str) -> str:
    """The first phrase of a protocol sentence (up to a bracket or punctuation), at most 80
    characters cut at a word: "Usual care, waiting list or none" gives "Usual care"."""
    phrase = _PHRASE_END.split((text or "").strip(), maxsplit=1)[0].strip()
    if len(phrase) > SHORT_NAME_LENGTH:
        phrase = phrase[:SHORT_NAME_LENGTH].rsplit(" ", 1)[0]
    return phrase


class Job(models.Model):
    """Background work, one lifecycle for every kind (imports, rankings, analysis runs, archives):
    queued -> running -> done, failed (with the reason in words) or cancelled. reviewapp.jobs
    claims, runs, ends, cancels and resumes them; a kind names its Celery task and its words."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    FINISHED = (Status.DONE, Status.FAILED, Status.CANCELLED)
    # What a kind calls its states, where it says more than the plain words (e.g. "Importing").
    STATUS_WORDS: dict[str, str] = {}
    # The dotted path of the Celery task that runs one job from its id, and what one is called.
    JOB_TASK = ""
    JOB_NOUN = ("job", "jobs")

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Deliveries of the task that claimed this job: 2 or more means a worker died mid-job. Only the
    # latest attempt may end the job, so a task delivered twice ends it once.
    attempts = models.PositiveIntegerField(default=0)
    claimed_by = models.CharField(max_length=200, blank=True, help_text="host:pid of the last attempt's process")
    claimed_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done while running.")
    error = models.TextField(blank=True, help_text="Why it failed, in words.")

    class Meta:
        abstract = True

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def status_label(self) -> str:
        return self.STATUS_WORDS.get(self.status) or self.Status(self.status).label


class Review(models.Model):
    class Status(models.TextChoices):
        PROTOCOL = "protocol", "Protocol"
        SEARCHING = "searching", "Searching"
        SCREENING = "screening", "Screening"
        EXTRACTION = "extraction", "Extraction"
        ANALYSIS = "analysis", "Analysis"
        COMPLETE = "complete", "Complete"

    title = models.CharField(max_length=300)
    question = models.TextField("review question", blank=True)
    population = models.TextField(blank=True)
    intervention = models.TextField(blank=True)
    comparator = models.TextField(blank=True)
    # Short names, as RevMan matches interventions and a forest plot labels its sides; when empty,
    # the first phrase of the protocol's sentence stands in (see short_name).
    intervention_name = models.CharField(
        "intervention (short name)", max_length=80, blank=True,
        help_text="E.g. “Psychodynamic therapy”: how RevMan and the exports name it. "
                  "Empty: the first phrase of the intervention above.")
    comparator_name = models.CharField(
        "comparator (short name)", max_length=80, blank=True,
        help_text="E.g. “Usual care”. Empty: the first phrase of the comparator above.")
    outcomes_summary = models.TextField("outcomes", blank=True)
    study_designs = models.TextField(
        "eligible study designs", blank=True, help_text="One design per line."
    )
    planned_databases = models.TextField(
        "planned databases", blank=True, help_text="One database per line."
    )
    search_from = models.DateField("searches cover from", null=True, blank=True)
    search_to = models.DateField("searches cover to", null=True, blank=True)
    # A living review: how often its searches are run again (a reminder tells the lead when one is due).
    search_update_months = models.PositiveSmallIntegerField(
        "re-run searches every (months)", null=True, blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="A living review's searches are run again this often; the lead is reminded when a run is "
                  "due. Empty: searches are not re-run.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROTOCOL)
    # Set on reviews made by `load_demo`: every page that shows one says its data is synthetic.
    is_demo = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def intervention_short(self) -> str:
        return self.intervention_name.strip() or short_name(self.intervention) or "Intervention"

    @property
    def comparator_short(self) -> str:
        return self.comparator_name.strip() or short_name(self.comparator) or "Comparator"

    @property
    def study_design_list(self) -> list[str]:
        return [line.strip() for line in self.study_designs.splitlines() if line.strip()]

    @property
    def planned_database_list(self) -> list[str]:
        return [line.strip() for line in self.planned_databases.splitlines() if line.strip()]


class Outcome(models.Model):
    """A named outcome of the protocol; the direction tells forest plots which side favours what."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Higher values favour the intervention"
        LOWER = "lower", "Lower values favour the intervention"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="outcomes")
    name = models.CharField(max_length=200)
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    note = models.TextField(blank=True, help_text="E.g. which scales measure it.")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "name"], name="unique_outcome_name_per_review")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def higher_favours(self) -> bool:
        """Whether higher values favour the intervention (the sign of every effect follows it)."""
        return self.direction == self.Direction.HIGHER


class Membership(models.Model):
    """One role of one person in one review; a person may hold several roles."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        REVIEWER = "reviewer", "Reviewer"
        EXTRACTOR = "extractor", "Extractor"
        VIEWER = "viewer", "Viewer"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__username", "role"]
        constraints = [
            models.UniqueConstraint(fields=["review", "user", "role"], name="unique_role_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} as {self.role} in {self.review_id}"


#: object types whose audit events change screening alone (decisions, their undo, conflicts
#: resolved), never a review's records: counts of records ignore them (`screening.selectors.counted`)
SCREENING_ONLY_EVENTS = ("screening.Decision", "screening.ScreeningItem")


class AuditEvent(models.Model):
    """Who changed what in a review, when, with the values before and after."""

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Changed"
        DELETE = "delete", "Deleted"

    # Kept when the review itself is deleted: the trail outlives what it describes.
    review = models.ForeignKey(
        Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    review_label = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    SCREENING_ONLY = SCREENING_ONLY_EVENTS

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["review", "-created_at"]),
                   # The latest event that is not a screening decision, in one step however long
                   # the screening since (#30).
                   models.Index(fields=["review", "-created_at", "-id"], name="audit_not_screening",
                                condition=~models.Q(object_type__in=SCREENING_ONLY_EVENTS))]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type} {self.object_label}"

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


def invitation_token_hash(token: str) -> str:
    """What is stored of an invitation's token: its SHA-256 (the token is random, so no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        """Neither accepted, declined nor revoked (expired ones included: a lead may send them again)."""
        return self.filter(accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An invitation to join a review with some roles; joining is always the invitee's choice.

    The lead names the person by username or e-mail address (``invitee``). When that names an
    account, the invitation is that account's (``user``): it sees it on its home page, and only it
    may accept. An address without an account gets an e-mailed link, and only someone signed in
    with that address, or creating an account for it from the link, may accept. Leads see
    ``invitee`` and never the account behind it (``user``, ``email`` stay private).

    Only a hash of the token is stored: the raw token travels in the e-mailed link alone, so
    a copy of the database does not let anyone join a review.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        EXPIRED = "expired", "Expired"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="invitations")
    # Stored in lower case: names and addresses are compared without regard to case.
    invitee = models.CharField(max_length=254, help_text="The username or e-mail address the lead gave.")
    email = models.EmailField("e-mail", blank=True, help_text="Where the link was e-mailed: the address the "
                              "lead gave; blank when they gave a username.")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="invitations_received", help_text="The account the lead named, if any: only it may accept.")
    roles = models.JSONField(help_text="Roles (Membership.Role values) given on acceptance.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One pending invitation per person and review: inviting again re-sends it.
            models.UniqueConstraint(
                fields=["review", "invitee"],
                condition=models.Q(accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True),
                name="one_pending_invitation_per_invitee",
            )
        ]

    def __str__(self) -> str:
        return f"invitation of {self.invitee}"

    def state_at(self, now) -> str:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.declined_at:
            return self.State.DECLINED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= now:
            return self.State.EXPIRED
        return self.State.OPEN

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Membership.Role.choices)
        order = list(Membership.Role.values)
        return [labels[r] for r in sorted(self.roles, key=order.index) if r in labels]


# ---------------------------------------------------------------- the API: tokens and webhooks

def api_token_hash(key: str) -> str:
    """What is stored of a personal API token: its SHA-256 (the key is random, so no salt)."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token: a person names it, scopes it and revokes it; only a hash is stored."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read-write", "Read and write"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “R script on my laptop”.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, so a person can tell their tokens apart; not enough to use one.
    prefix = models.CharField(max_length=12, editable=False)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    # A token may be limited to one review: elsewhere it answers as for a person outside the review.
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               help_text="If set, the token works in this review only.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="After this the token no longer works.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired


class Webhook(models.Model):
    """A URL a lead registered to be told of events in a review, with the secret that signs each delivery."""

    class Event(models.TextChoices):
        IMPORT_FINISHED = "import.finished", "An import finished (or failed)"
        CONFLICT_CREATED = "conflict.created", "Two screeners disagree on a record"
        STAGE_FINISHED = "stage.finished", "A screening stage has no record left to decide"
        ANALYSIS_RUN_FINISHED = "analysis_run.finished", "An analysis run finished"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField("URL", max_length=500)
    secret = models.CharField(max_length=100, help_text="Signs every delivery (HMAC-SHA256); keep it private.")
    events = models.JSONField(default=list, help_text="Event names (Webhook.Event values) to deliver.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.url

    @property
    def event_labels(self) -> list[str]:
        labels = dict(self.Event.choices)
        return [labels.get(e, e) for e in self.events]


class WebhookDelivery(models.Model):
    """One event sent (or being sent) to one webhook: the body as signed, each try's answer."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed (no more tries)"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    body = models.TextField(help_text="The JSON body exactly as signed and sent.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.webhook_id} ({self.status})"


def _archive_path(instance: ArchiveExport, filename: str) -> str:
    return f"archives/review-{instance.review_id}/{filename}"


class ArchiveExport(Job):
    """A whole-review archive a lead asked for: written by a background task (a large review
    takes longer than a web request may), kept until a newer one is ready, then downloaded."""

    STATUS_WORDS = {Job.Status.QUEUED: "Waiting for the worker", Job.Status.RUNNING: "Being written",
                    Job.Status.DONE: "Ready"}
    JOB_TASK = "reviewapp.tasks.archive_export_build"
    JOB_NOUN = ("review archive", "review archives")

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="archive_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file = models.FileField(upload_to=_archive_path, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    objects_count = models.PositiveIntegerField(default=0, help_text="Rows of every model in the archive.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "review archive"

    def __str__(self) -> str:
        return f"archive of review {self.review_id} ({self.status})"

    @property
    def download_name(self) -> str:
        from django.utils.text import slugify

        return f"review-{self.review_id}-{slugify(self.review.title)[:60] or 'archive'}.zip"


def _archive_import_path(instance: ArchiveImport, filename: str) -> str:
    return f"archive-imports/user-{instance.owner_id}/{filename}"


class ArchiveImport(Job):
    """An archive someone uploaded to make a new review from: read by a background task (a large
    review takes longer than a web request may), all or nothing. ``review`` is the review it made;
    the uploaded file is kept until then, so that a failed import can be run again."""

    STATUS_WORDS = {Job.Status.QUEUED: "Waiting for the worker", Job.Status.RUNNING: "Importing",
                    Job.Status.DONE: "Imported"}
    JOB_TASK = "reviewapp.tasks.archive_import_run"
    JOB_NOUN = ("review import", "review imports")

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              help_text="Who uploaded it; they become a lead of the new review.")
    # Staff when they uploaded it: the archive's people are matched to accounts by username.
    trusted = models.BooleanField(default=False)
    file = models.FileField(upload_to=_archive_import_path, max_length=300, blank=True)
    original_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    objects_count = models.PositiveIntegerField(default=0, help_text="Rows of every model the import made.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "review import"

    def __str__(self) -> str:
        return f"import of {self.original_name} ({self.status})"


# Notifications live in their own module; imported here so Django finds them as this app's models.
from .notifications.models import Notification, NotificationPreference  # noqa: E402, F401
from .versions.models import ReviewVersion, VersionArchive  # noqa: E402, F401
