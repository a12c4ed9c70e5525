"""Full texts for full-text screening, and reviewers' repairs of garbled titles and abstracts."""
from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.db import transaction

from reviewapp.audit import audit_record, snapshot
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent

from ..models import FullText, Record, RecordCorrection

Action = AuditEvent.Action
PDF_MAGIC = b"%PDF-"


def fulltext_limit_bytes() -> int:
    return settings.MAX_FULLTEXT_MB * 1024 * 1024


def fulltext_checked(upload: File, name: str) -> tuple[int, str]:
    """The size and SHA-256 of a full text, once it is within the limit and a PDF (checked by its
    bytes, not its name); read in chunks, never whole. ApplicationError says why not."""
    size, digest, head = 0, hashlib.sha256(), b""
    for chunk in upload.chunks():
        size += len(chunk)
        if size > fulltext_limit_bytes():
            raise ApplicationError(f"{name} is larger than the limit of {settings.MAX_FULLTEXT_MB} MB.")
        digest.update(chunk)
        head += chunk[:1024 - len(head)]
    # A PDF may have a few bytes of junk before its header; readers accept it within the first kilobyte.
    if PDF_MAGIC not in head:
        raise ApplicationError(f"{name} is not a PDF file (its content does not start like one).")
    return size, digest.hexdigest()


def fulltext_store(*, actor, record: Record, upload: File, name: str, size: int, sha256: str
                   ) -> tuple[FullText, dict | None]:
    """Keep a checked full text as the record's (replacing one it had); returns it and a snapshot of
    the one replaced. The caller audits and holds the transaction."""
    old = FullText.objects.filter(record=record).first()
    before = snapshot(old, exclude=("uploaded_at",)) if old else None
    if old is not None:
        stored = old.file
        transaction.on_commit(lambda: stored.delete(save=False))
        old.delete()
    fulltext = FullText(record=record, original_name=name[:255], size=size, sha256=sha256, uploaded_by=actor)
    upload.seek(0)
    fulltext.file.save(name, upload, save=False)
    fulltext.save()
    return fulltext, before


@transaction.atomic
def fulltext_upload(*, actor, record: Record, upload: File | bytes, filename: str | None = None) -> FullText:
    """Store a record's full text; the content must be a PDF (checked by its bytes, not its name)."""
    name = filename or getattr(upload, "name", "") or "fulltext.pdf"
    if isinstance(upload, bytes):
        upload = ContentFile(upload, name=name)
    size, sha256 = fulltext_checked(upload, name)
    record = Record.objects.select_for_update().get(pk=record.pk)
    fulltext, before = fulltext_store(actor=actor, record=record, upload=upload, name=name, size=size, sha256=sha256)
    audit_record(actor=actor, review=record.review, action=Action.UPDATE if before else Action.CREATE,
                 instance=fulltext, before=before, after=snapshot(fulltext, exclude=("uploaded_at",)),
                 label=f"full text of record #{record.number}")
    return fulltext


@transaction.atomic
def record_correct(*, actor, record: Record, field: str, text: str) -> RecordCorrection:
    """Mend a record's title or abstract; the original is kept with the correction."""
    if field not in RecordCorrection.Field.values:
        raise ApplicationError("Only the title or the abstract can be mended.")
    text = text.strip()
    if not text:
        raise ApplicationError(f"The new {field} is empty.")
    record = Record.objects.select_for_update().get(pk=record.pk)
    original = getattr(record, field)
    if original == text:
        raise ApplicationError(f"The {field} is unchanged.")
    correction = RecordCorrection.objects.create(record=record, field=field, original=original, corrected=text,
                                                 corrected_by=actor)
    setattr(record, field, text)
    record.save(update_fields=[field])
    audit_record(actor=actor, review=record.review, action=Action.UPDATE, instance=record,
                 before={field: original}, after={field: text}, label=f"{field} of record {record.pk} mended")
    return correction
