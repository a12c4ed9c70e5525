"""Writes to searches and their uploaded files. Each change is audited in the same transaction."""
from __future__ import annotations

import hashlib
import os
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction

from reviewapp.audit import audit_record, audited_update, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.jobs import job_run_again, job_send
from reviewapp.models import AuditEvent, Review

from ..models import Search, SearchFile

Action = AuditEvent.Action
SEARCH_FIELDS = ("source", "database", "platform", "date_run", "query", "limits", "reported_hits", "notes")


@transaction.atomic
def search_create(*, actor, review: Review, **fields: Any) -> Search:
    unknown = set(fields) - set(SEARCH_FIELDS)
    if unknown:
        raise TypeError(f"unknown search fields: {sorted(unknown)}")
    search = Search(review=review, created_by=actor if getattr(actor, "pk", None) else None, **fields)
    search.full_clean()
    search.save()
    audit_record(actor=actor, review=review, action=Action.CREATE, instance=search,
                 after=snapshot(search, exclude=("created_at", "updated_at")))
    return search


@transaction.atomic
def search_update(*, actor, search: Search, **fields: Any) -> Search:
    search = Search.objects.select_for_update().get(pk=search.pk)
    return audited_update(actor=actor, review=search.review, instance=search, fields=fields,
                          allowed=SEARCH_FIELDS, exclude=("created_at", "updated_at"))


@transaction.atomic
def search_delete(*, actor, search: Search) -> None:
    """Delete a search that has no imported records (records are evidence: remove their file first)."""
    if search.records.exists():
        raise ApplicationError("This search has imported records; it cannot be deleted.")
    audit_record(actor=actor, review=search.review, action=Action.DELETE, instance=search,
                 before=snapshot(search, exclude=("created_at", "updated_at")))
    search.delete()


def upload_limit_bytes() -> int:
    return settings.MAX_UPLOAD_MB * 1024 * 1024


def _digest(stream: BinaryIO) -> tuple[str, int]:
    sha = hashlib.sha256()
    size = 0
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        sha.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return sha.hexdigest(), size


@transaction.atomic
def search_file_create(*, actor, search: Search, upload: File | bytes, filename: str | None = None,
                       requested_format: str = "", enqueue: bool = True) -> SearchFile:
    """Store an export exactly as uploaded and queue its import (after the transaction commits).

    ``enqueue=False`` leaves the import to the caller (the command line and the demo run it at once).
    """
    if isinstance(upload, (bytes, bytearray)):
        upload = ContentFile(bytes(upload), name=filename or "upload")
    name = os.path.basename(filename or getattr(upload, "name", "") or "upload")
    sha, size = _digest(upload)
    if size == 0:
        raise ApplicationError(f"{name} is empty: there are no records to import.")
    if size > upload_limit_bytes():
        raise ApplicationError(
            f"{name} is {size / 1048576:.1f} MB; files may be at most {settings.MAX_UPLOAD_MB} MB. "
            "Split the export into smaller files and upload each to this search.")
    search_file = SearchFile(search=search, original_name=name, size=size, sha256=sha,
                             requested_format=requested_format or "",
                             uploaded_by=actor if getattr(actor, "pk", None) else None)
    search_file.file.save(name, upload, save=False)
    search_file.save()
    audit_record(actor=actor, review=search.review, action=Action.CREATE, instance=search_file,
                 after=snapshot(search_file, exclude=("uploaded_at",)), label=search_file.audit_label)
    if enqueue:
        job_send(search_file)
    return search_file


@transaction.atomic
def search_file_delete(*, actor, search_file: SearchFile) -> None:
    """Remove an upload whose import failed (an imported file's records stay: merges refer to them)."""
    if search_file.status not in (SearchFile.Status.FAILED,):
        raise ApplicationError("Only a file whose import failed can be removed.")
    audit_record(actor=actor, review=search_file.search.review, action=Action.DELETE, instance=search_file,
                 before=snapshot(search_file, exclude=("uploaded_at",)), label=search_file.audit_label)
    stored = search_file.file
    search_file.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


@transaction.atomic
def search_file_retry(*, actor, search_file: SearchFile) -> SearchFile:
    """Queue a failed import again (e.g. after a worker was lost)."""
    before = snapshot(search_file, exclude=("uploaded_at",))
    search_file = job_run_again(SearchFile, search_file.pk)
    audit_record(actor=actor, review=search_file.search.review, action=Action.UPDATE, instance=search_file,
                 before=before, after=snapshot(search_file, exclude=("uploaded_at",)),
                 label=search_file.audit_label)
    return search_file
