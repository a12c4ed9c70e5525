"""Publishing a version of a review (v1, v2, ...): the review's archive as it stands, frozen with
its number, date, note and who published it; audited. Nothing changes or deletes a version."""
from __future__ import annotations

import tempfile

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from ..archive.export import archive_write
from ..audit import audit_record, snapshot
from ..exceptions import ApplicationError
from ..extensions import declared_functions
from ..models import AuditEvent, Review
from .models import ReviewVersion

NOTE_MAX = 5000

def version_figures(review: Review) -> dict:
    """What each stage app counts now (the ``version_figures`` extension), merged."""
    figures: dict = {}
    for figures_of in declared_functions("version_figures"):
        figures.update(figures_of(review))
    return figures

@transaction.atomic
def version_publish(*, actor, review: Review, note: str = "") -> ReviewVersion:
    """Publish the next version of ``review``: its archive is written now and kept with the version."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ApplicationError(f"The note is too long (at most {NOTE_MAX:,} characters).", {"field": "note"})
    Review.objects.select_for_update().filter(pk=review.pk).first()  # one publication at a time
    last = ReviewVersion.objects.filter(review=review).order_by("-number").first()
    number = (last.number if last else 0) + 1
    version = ReviewVersion(review=review, number=number, note=note, published_at=timezone.now(),
                            published_by=actor if getattr(actor, "pk", None) else None,
                            figures=version_figures(review))
    with tempfile.TemporaryFile() as out:
        archive_write(review=review, out=out)
        version.size = out.tell()
        out.seek(0)
        version.file.save(version.download_name, File(out), save=False)
    version.save()
    audit_record(actor=actor, review=review, action=AuditEvent.Action.CREATE, instance=version,
                 after=snapshot(version, exclude=("file", "figures")), label=f"Version {version.label}")
    return version
