"""Writing a review's archive, and making a new review from one (reviewapp/archive/FORMAT.md)."""
from __future__ import annotations

import logging
import posixpath
import tempfile
import time
from typing import BinaryIO

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.text import get_valid_filename

from ..audit import audit_record
from ..jobs import Attempt, JobFailed, job_cancel, job_run, job_run_again, job_send
from ..models import ArchiveExport, ArchiveImport, AuditEvent, Membership, Review
from ..selectors import archive_import_progress_key
from ..services.members import membership_create
from .export import archive_write
from .load import Loaded, archive_check, archive_load, files_delete

log = logging.getLogger(__name__)


def review_archive_write(*, review: Review, out: BinaryIO) -> dict:
    """The archive of ``review`` written to ``out`` (a binary file); returns its manifest."""
    return archive_write(review=review, out=out)


@transaction.atomic
def archive_export_request(*, actor, review: Review) -> ArchiveExport:
    """Ask for a fresh archive of ``review``, written by the worker; while one is waiting or being
    written that one is returned rather than a second started. The trail notes who took a copy."""
    waiting = (ArchiveExport.objects.select_for_update().filter(review=review)
               .exclude(status__in=ArchiveExport.FINISHED).first())
    if waiting is not None:
        return waiting
    export = ArchiveExport.objects.create(review=review, requested_by=actor)
    audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=export,
                 after={"status": export.status}, label="whole-review archive asked for")
    job_send(export)
    return export


def archive_export_build(*, export_id: int) -> ArchiveExport:
    """Write the archive (the background task's body; a job: reviewapp.jobs). Safe to run again:
    a finished export is left alone, and a second delivery writes a whole new file. When it is
    ready, the files of the review's older archives are deleted (one copy of everything is enough)."""
    return job_run(ArchiveExport, export_id, _build, on_end=_older_deleted)


def _build(attempt: Attempt) -> None:
    export = ArchiveExport.objects.select_related("review").get(pk=attempt.job.pk)
    with tempfile.TemporaryFile() as spool:
        manifest = archive_write(review=export.review, out=spool)
        spool.seek(0)
        export.file.save(export.download_name, File(spool), save=False)
    try:
        attempt.test_pause()  # the file is stored, the export not yet done
        attempt.finish(file=export.file.name, size=export.file.size,
                       objects_count=sum(manifest.get("counts", {}).values()))
    except BaseException:
        export.file.delete(save=False)  # cancelled or taken over meanwhile: this copy is nobody's
        raise


def _older_deleted(export: ArchiveExport) -> None:
    if export.status != ArchiveExport.Status.DONE:
        return
    older = ArchiveExport.objects.filter(review_id=export.review_id, created_at__lt=export.created_at)
    for each in older:
        if each.file:
            each.file.delete(save=False)
    older.delete()
    _strays_deleted(export)


def _strays_deleted(export: ArchiveExport) -> None:
    """Delete the files in the review's archive folder that no export names: those an attempt
    stored before its worker was killed (the next attempt stored its own under another name)."""
    storage, folder = export.file.storage, posixpath.dirname(export.file.name)
    kept = set(ArchiveExport.objects.filter(review_id=export.review_id).exclude(file="")
               .values_list("file", flat=True))
    try:
        names = storage.listdir(folder)[1]
    except (FileNotFoundError, NotImplementedError):
        return
    for name in names:
        path = posixpath.join(folder, name)
        if path not in kept:
            storage.delete(path)


@transaction.atomic
def archive_export_cancel(*, actor, export: ArchiveExport) -> ArchiveExport:
    """Stop writing an archive that is not ready yet."""
    export = job_cancel(ArchiveExport, export.pk)
    audit_record(actor=actor, review=export.review, action=AuditEvent.Action.UPDATE, instance=export,
                 after={"status": export.status}, label="whole-review archive cancelled")
    return export


@transaction.atomic
def archive_export_again(*, actor, export: ArchiveExport) -> ArchiveExport:
    """Write again an archive that failed or was cancelled."""
    export = job_run_again(ArchiveExport, export.pk)
    audit_record(actor=actor, review=export.review, action=AuditEvent.Action.UPDATE, instance=export,
                 after={"status": export.status}, label="whole-review archive asked for again")
    return export


def review_archive_import(*, source, actor=None, owner=None, trusted: bool = True) -> Review:
    """A new review made from the archive ``source`` (a path or binary file), with every object
    of the archived one. ``owner`` (if given) becomes a lead besides the archived leads; ``actor``
    is who the audit trail names as importing it. All or nothing: an ArchiveError (an
    ApplicationError) leaves the site as it was, uploaded files included.

    People the site lacks get inactive accounts. From an importer who is not ``trusted`` (not
    staff) nobody but the importer is matched to an existing account (each gets a new inactive
    one), and new accounts get no e-mail address: an archive anyone can write must not make this
    site's people members or authors, nor claim an address, which would block its owner from
    accepting an invitation with a new account."""
    stored: list = []
    try:
        with transaction.atomic():
            return _import(source=source, actor=actor, owner=owner, stored=stored, trusted=trusted).review
    except BaseException:
        files_delete(stored)
        raise


def _import(*, source, actor, owner, stored: list, trusted: bool, progress=None) -> Loaded:
    loaded = archive_load(source=source, stored=stored, trusted=trusted, owner=owner, progress=progress)
    review, manifest, counts = loaded.review, loaded.manifest, loaded.counts
    _audit_made_outside(actor=actor, review=review, loaded=loaded)
    if owner is not None and not Membership.objects.filter(review=review, user=owner,
                                                           role=Membership.Role.LEAD).exists():
        membership_create(actor=actor, review=review, user=owner, role=Membership.Role.LEAD)
    audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=review,
                 after={"imported_from": {"app_version": manifest.get("app_version"),
                                          "exported_at": manifest.get("exported_at"),
                                          "review_id": (manifest.get("review") or {}).get("id"),
                                          "format_version": manifest.get("format_version")},
                        "objects": sum(counts.values())},
                 label=f"review imported from an archive: {review.title}"[:300])
    return loaded


def _audit_made_outside(*, actor, review: Review, loaded) -> None:
    """The trail says what the import made beyond the review's own rows: each new account, and
    each archived appraisal tool this site lacks (or holds with another definition), whose forms
    became custom tools of this review instead of site-wide tools."""
    for username, user in loaded.created_people:
        audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=user,
                     after={"username": user.get_username(), "archived_username": username, "is_active": False},
                     label=f"inactive account {user.get_username()} made for the archive's person {username}")
    for label, rows in loaded.unmatched.items():
        for source_id, row in rows.items():
            audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=review,
                         after={"archived": label, "archived_id": source_id,
                                **{k: getattr(row, k, None) for k in ("slug", "version", "name")}},
                         label=f"{label} {row} from the archive is not this site's: its forms are kept as "
                               "custom forms of this review")


# ---------------------------------------------------------------- importing as a background job

@transaction.atomic
def archive_import_request(*, actor, upload) -> ArchiveImport:
    """Keep an uploaded archive and queue its import by the worker; ``actor`` becomes a lead of
    the review it makes. What the ZIP's directory and manifest show is judged here, so an upload
    that is no archive this site reads (or would unpack beyond the limits) is refused at once
    (ArchiveError) and nothing is kept; the rows are read by the worker."""
    archive_check(upload)
    name = get_valid_filename(getattr(upload, "name", "") or "review.zip")[-200:] or "review.zip"
    job = ArchiveImport(owner=actor, trusted=actor.is_staff, original_name=name, size=upload.size or 0)
    job.file.save(name, upload, save=False)
    stored = job.file.name
    try:
        job.save()
        audit_record(actor=actor, review=None, action=AuditEvent.Action.CREATE, instance=job,
                     after={"file": name, "size": job.size}, label=f"review archive {name} uploaded for import"[:300])
    except BaseException:
        job.file.storage.delete(stored)
        raise
    job_send(job)
    return job


def archive_import_run(*, import_id: int) -> ArchiveImport:
    """Make the review (the background task's body; a job: reviewapp.jobs). All or nothing: the
    review, its people and the job's end commit together, so a second delivery of the task (a
    worker killed mid-import) either finds the job done and leaves it, or imports into a site
    that holds nothing of the first attempt; the review is made once."""
    return job_run(ArchiveImport, import_id, _import_job, on_end=_import_ended)


class _Progress:
    """Rows read so far, for the status page: the import's rows are invisible to other connections
    until it commits, so the count goes to the cache (shared by web and worker processes)."""

    def __init__(self, import_id: int):
        self.key, self.last = archive_import_progress_key(import_id), 0.0

    def __call__(self, done: int, total: int) -> None:
        if time.monotonic() - self.last >= 0.5:
            self.last = time.monotonic()
            cache.set(self.key, {"percent": min(99, 100 * done // max(total, 1)), "objects": done}, timeout=3600)


class _StoredJournal(list):
    """The files an attempt stores, also noted in the shared cache as each is stored: storage is
    no part of the import's transaction, and a worker killed mid-import deletes nothing, so the
    next attempt deletes what the killed one left (its rows rolled back: no one refers to them)."""

    def __init__(self, import_id: int):
        super().__init__()
        self.key = f"archive-import:{import_id}:stored"

    def left_by_a_killed_attempt_deleted(self) -> None:
        for name in cache.get(self.key) or []:
            default_storage.delete(name)
        cache.delete(self.key)

    def append(self, item) -> None:
        super().append(item)
        storage, name = item
        if storage is default_storage:
            cache.set(self.key, [*(cache.get(self.key) or []), name], timeout=None)

    def forget(self) -> None:
        cache.delete(self.key)


def _import_job(attempt: Attempt) -> None:
    job = ArchiveImport.objects.select_related("owner").get(pk=attempt.job.pk)
    stored = _StoredJournal(job.pk)
    stored.left_by_a_killed_attempt_deleted()
    try:
        source = job.file.open("rb")
    except (OSError, ValueError) as exc:
        raise JobFailed(f"The uploaded archive {job.original_name} can no longer be read ({exc}); upload it "
                        "again.") from exc
    try:
        with source, transaction.atomic():
            loaded = _import(source=source, actor=job.owner, owner=job.owner, stored=stored,
                             trusted=job.trusted and job.owner.is_staff, progress=_Progress(job.pk))
            attempt.test_pause()  # the rows and files are stored, not yet committed
            attempt.finish(review=loaded.review, objects_count=sum(loaded.counts.values()))
    except BaseException:
        files_delete(stored)  # storage is not part of the transaction that rolled back
        raise
    finally:
        stored.forget()  # deleted above, or the review that holds them has committed
        cache.delete(archive_import_progress_key(job.pk))


def _import_ended(job: ArchiveImport) -> None:
    """Once the review is made the upload has served (the review holds all of it): its file is
    deleted when the end commits. A failed import keeps it, to be run again."""
    if job.status == ArchiveImport.Status.DONE and job.file:
        name, storage = job.file.name, job.file.storage
        ArchiveImport.objects.filter(pk=job.pk).update(file="")
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def archive_import_again(*, actor, job: ArchiveImport) -> ArchiveImport:
    """Import again an archive whose import failed (e.g. after the site was updated to read it)."""
    job = job_run_again(ArchiveImport, job.pk)
    audit_record(actor=actor, review=None, action=AuditEvent.Action.UPDATE, instance=job,
                 after={"status": job.status}, label=f"review archive {job.original_name} imported again"[:300])
    return job
