"""Writing a review's archive, and making a new review from one (reviewapp/archive/FORMAT.md)."""
from __future__ import annotations

from typing import BinaryIO

from django.db import transaction

from ..audit import audit_record
from ..models import AuditEvent, Membership, Review
from ..services import _membership_create
from .export import archive_write
from .load import archive_load, files_delete


def review_archive_write(*, review: Review, out: BinaryIO) -> dict:
    """The archive of ``review`` written to ``out`` (a binary file); returns its manifest."""
    return archive_write(review=review, out=out)


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
            return _import(source=source, actor=actor, owner=owner, stored=stored, trusted=trusted)
    except BaseException:
        files_delete(stored)
        raise


def _import(*, source, actor, owner, stored: list, trusted: bool) -> Review:
    review, manifest, counts = archive_load(source=source, stored=stored, trusted=trusted, owner=owner)
    if owner is not None and not Membership.objects.filter(review=review, user=owner,
                                                           role=Membership.Role.LEAD).exists():
        _membership_create(actor=actor, review=review, user=owner, role=Membership.Role.LEAD)
    audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=review,
                 after={"imported_from": {"app_version": manifest.get("app_version"),
                                          "exported_at": manifest.get("exported_at"),
                                          "review_id": (manifest.get("review") or {}).get("id"),
                                          "format_version": manifest.get("format_version")},
                        "objects": sum(counts.values())},
                 label=f"review imported from an archive: {review.title}"[:300])
    return review
