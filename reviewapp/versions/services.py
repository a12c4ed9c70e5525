"""Publishing a version of a review (v1, v2, ...): its number, date, note, publisher and figures
are fixed in the request, and the review's archive is written by the worker (a job,
reviewapp.jobs) as the review stood at publication; audited. Nothing changes or deletes a version.

How the archive stays the review at publication: the request records the review's latest audit
event (``ReviewVersion.audit_event_id``) in the transaction that queues the job, and the job
writes the whole archive inside ONE transaction, at REPEATABLE READ on PostgreSQL (SQLite's read
transaction is a snapshot already), so the archive is one consistent state of the review however
long the writing takes and whatever is written meanwhile; other writes are never refused. In that
same snapshot the job counts the review's audit events after the publication (other than the
version's own bookkeeping): 0, the usual case with the job queued on commit, proves the archive
is exactly the published state; otherwise the version says how many later changes its archive
holds (``VersionArchive.later_changes``, shown on the page and in the API) rather than hide it.
"""
from __future__ import annotations

import tempfile

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from ..archive.export import archive_write
from ..audit import audit_record, snapshot
from ..exceptions import ApplicationError
from ..extensions import declared_functions
from ..jobs import Attempt, job_run, job_run_again, job_send
from ..models import AuditEvent, Review
from .models import ReviewVersion, VersionArchive

NOTE_MAX = 5000
# The version's own bookkeeping, which is no change to what the review says.
_OWN_EVENTS = ("reviewapp.ReviewVersion", "reviewapp.VersionArchive")


def version_figures(review: Review) -> dict:
    """What each stage app counts now (the ``version_figures`` extension), merged."""
    figures: dict = {}
    for figures_of in declared_functions("version_figures"):
        figures.update(figures_of(review))
    return figures


@transaction.atomic
def version_publish(*, actor, review: Review, note: str = "") -> ReviewVersion:
    """Publish the next version of ``review``: number, note, publisher and figures are fixed now,
    and its archive is queued for the worker when this commits (``version.archive``)."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"The note is too long (at most {NOTE_MAX:,} characters).", {"field": "note"})
    Review.objects.select_for_update().filter(pk=review.pk).first()  # one publication at a time
    last = ReviewVersion.objects.filter(review=review).order_by("-number").first()
    number = (last.number if last else 0) + 1
    at_event = AuditEvent.objects.filter(review=review).order_by("-pk").values_list("pk", flat=True).first()
    version = ReviewVersion.objects.create(
        review=review, number=number, note=note, published_at=timezone.now(),
        published_by=actor if getattr(actor, "pk", None) else None, figures=version_figures(review),
        audit_event_id=at_event)
    audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=version,
                 after=snapshot(version, exclude=("figures",)), label=f"Version {version.label}")
    job_send(VersionArchive.objects.create(version=version))
    return version


def version_archive_write(*, archive_id: int) -> VersionArchive:
    """Write a version's archive (the background task's body; a job: reviewapp.jobs). Safe to run
    again: a finished one is left alone, and a second delivery writes a whole new file."""
    return job_run(VersionArchive, archive_id, _write)


def _write(attempt: Attempt) -> None:
    job = VersionArchive.objects.select_related("version__review").get(pk=attempt.job.pk)
    version = job.version
    outermost = not connection.in_atomic_block  # (only a test runs a job inside a transaction)
    with tempfile.TemporaryFile() as spool:
        with transaction.atomic():  # one snapshot of the review: see the module's docstring
            if connection.vendor == "postgresql" and outermost:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            archive_write(review=version.review, out=spool)
            later = (AuditEvent.objects.filter(review_id=version.review_id, pk__gt=version.audit_event_id or 0)
                     .exclude(object_type__in=_OWN_EVENTS).count())
        size = spool.tell()
        spool.seek(0)
        job.file.save(version.download_name, File(spool), save=False)
    try:
        attempt.test_pause()  # the file is stored, the job not yet done
        attempt.finish(file=job.file.name, size=size, later_changes=later)
    except BaseException:
        job.file.delete(save=False)  # cancelled or taken over meanwhile: this copy is nobody's
        raise


@transaction.atomic
def version_archive_again(*, actor, version: ReviewVersion) -> VersionArchive:
    """Write again the archive of a version whose writing failed (the version itself is unchanged)."""
    job = VersionArchive.objects.filter(version=version).first()
    if job is None:
        raise ApplicationError(f"Version {version.label} has no archive to write again.")
    job = job_run_again(VersionArchive, job.pk)
    audit_record(actor=actor, review=version.review, action=AuditEvent.Action.UPDATE, instance=job,
                 after={"status": job.status}, label=f"Version {version.label}: archive written again")
    return job
