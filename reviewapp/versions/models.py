"""A published version of a review: its number, date, note, who published it and the review's
archive as it stood then (reviewapp/archive). Models of the `reviewapp` app (imported by
reviewapp.models). A version is never changed nor deleted once published: the archive leaves
versions out (each is an archive already), and they go only with their review."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from ..exceptions import ApplicationError
from ..models import Job


class VersionQuerySet(models.QuerySet):
    """Versions in bulk are as frozen as one: no update or delete (a review's deletion still takes them)."""

    def update(self, **kwargs):
        raise ApplicationError("A published version cannot be changed.")

    def delete(self):
        raise ApplicationError("A published version cannot be deleted.")


def _version_path(instance: VersionArchive, filename: str) -> str:
    return f"versions/review-{instance.version.review_id}/{filename}"


class ReviewVersion(models.Model):
    review = models.ForeignKey("reviewapp.Review", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(help_text="1 for v1, 2 for v2, ...")
    note = models.TextField(blank=True, help_text="What this version says or changed, in the lead's words.")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField()
    # The review's last audit event when it was published: the archive (written afterwards by the
    # worker, VersionArchive) is the review as it stood then; see versions.services.
    audit_event_id = models.PositiveBigIntegerField(null=True, blank=True, help_text=(
        "The review's latest audit event at publication: the state the version's archive holds."))
    # What the stage apps counted when it was published (the `version_figures` extension), e.g.
    # screening's included studies and reports, which an update's PRISMA diagram starts from.
    figures = models.JSONField(default=dict, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["review", "number"], name="one_version_number_per_review")]

    def __str__(self) -> str:
        return f"v{self.number} of review {self.review_id}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ApplicationError("A published version cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ApplicationError("A published version cannot be deleted.")

    @property
    def label(self) -> str:
        return f"v{self.number}"

    @property
    def download_name(self) -> str:
        return f"review-{self.review_id}-v{self.number}.zip"


class VersionArchive(Job):
    """The archive of a published version, written by the worker (minutes at a million records,
    longer than a request may take). The version itself is fixed at publication; only this job
    moves (queued -> done, or failed with the reason and run again)."""

    STATUS_WORDS = {Job.Status.QUEUED: "Being written (waiting for the worker)", Job.Status.RUNNING: "Being written",
                    Job.Status.DONE: "Ready"}
    JOB_TASK = "reviewapp.tasks.version_archive_write"
    JOB_NOUN = ("version archive", "version archives")

    version = models.OneToOneField(ReviewVersion, on_delete=models.CASCADE, related_name="archive")
    file = models.FileField(upload_to=_version_path, max_length=300, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    # Audit events of the review after the version's own that the archive's snapshot already held
    # (writes between publication and the worker's snapshot): 0 means exactly the published state.
    later_changes = models.PositiveIntegerField(default=0, help_text=(
        "Changes to the review made after publication and before the archive was written."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"archive of {self.version} ({self.status})"

    @property
    def review_id(self) -> int:
        return self.version.review_id
