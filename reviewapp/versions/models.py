"""A published version of a review: its number, date, note, who published it and the review's
archive as it stood then (reviewapp/archive). Models of the `reviewapp` app (imported by
reviewapp.models). A version is never changed nor deleted once published: the archive leaves
versions out (each is an archive already), and they go only with their review."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from ..exceptions import ApplicationError


class VersionQuerySet(models.QuerySet):
    """Versions in bulk are as frozen as one: no update or delete (a review's deletion still takes them)."""

    def update(self, **kwargs):
        raise ApplicationError("A published version cannot be changed.")

    def delete(self):
        raise ApplicationError("A published version cannot be deleted.")


def _version_path(instance: ReviewVersion, filename: str) -> str:
    return f"versions/review-{instance.review_id}/{filename}"


class ReviewVersion(models.Model):
    review = models.ForeignKey("reviewapp.Review", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(help_text="1 for v1, 2 for v2, ...")
    note = models.TextField(blank=True, help_text="What this version says or changed, in the lead's words.")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField()
    file = models.FileField(upload_to=_version_path, max_length=300)
    size = models.PositiveBigIntegerField(default=0)
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
