"""Many full texts at once: PDF files, or ZIP files of them, matched to the review's records by the
names (screening.fulltext_match) and attached in one audited action; a report says which file went
where, which fit several records (nothing attached), which fit none, and which were refused and why.

Done within the request: the upload is bounded at the door (MAX_FULLTEXT_BULK_MB), a ZIP is judged
by its directory before anything is inflated, and files are read one at a time in chunks.
"""
from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils.translation import ngettext

from reviewapp.audit import audit_record
from reviewapp.exceptions import ApplicationError
from reviewapp.models import AuditEvent, Review
from reviewapp.uploads import MB, ZipLimits, zip_members_checked

from ..fulltext_match import RecordKeys, match_names, pattern_problem, ris_id_of
from ..identifiers import pmcid_of
from ..models import FullText, Record
from .fulltexts import fulltext_checked, fulltext_store

ZIP_MAGIC = b"PK\x03\x04"
# Left out of a ZIP without a word: folders' metadata that macOS and Windows add.
_JUNK_PREFIXES = ("__MACOSX/",)
_JUNK_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")


def bulk_limit_bytes() -> int:
    return settings.MAX_FULLTEXT_BULK_MB * MB


def _zip_limits() -> ZipLimits:
    return ZipLimits(max_members=settings.MAX_FULLTEXT_BULK_FILES, max_member_bytes=settings.MAX_FULLTEXT_MB * MB,
                     max_total_bytes=bulk_limit_bytes(), member_setting="MAX_FULLTEXT_MB",
                     total_setting="MAX_FULLTEXT_BULK_MB")


@dataclass
class BulkReport:
    attached: list[dict] = field(default_factory=list)  # file, record (number), record_id, how, replaced
    ambiguous: list[dict] = field(default_factory=list)  # file, records (numbers), why
    unmatched: list[dict] = field(default_factory=list)  # file
    refused: list[dict] = field(default_factory=list)  # file, why

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def total(self) -> int:
        return len(self.attached) + len(self.ambiguous) + len(self.unmatched) + len(self.refused)


@dataclass
class _Entry:
    name: str  # as shown in the report: "papers.zip: 10.1000_x.pdf" for a ZIP's member
    match_name: str  # what matching reads: the member's path or the file's name
    opener: object  # () -> a context manager giving a File


def _is_zip(upload) -> bool:
    upload.seek(0)
    head = upload.read(4)
    upload.seek(0)
    return head == ZIP_MAGIC


@contextmanager
def _as_file(upload) -> Iterator[File]:
    upload.seek(0)
    yield upload


def _member_opener(archive: zipfile.ZipFile, member: zipfile.ZipInfo):
    @contextmanager
    def opened() -> Iterator[File]:
        # Copied out one at a time, in chunks; spooled to disk beyond a few megabytes.
        with archive.open(member) as source, tempfile.SpooledTemporaryFile(max_size=8 * MB) as copy:
            shutil.copyfileobj(source, copy, 1024 * 1024)
            copy.seek(0)
            yield File(copy, name=member.filename.rsplit("/", 1)[-1])
    return opened


def _entries(uploads: list, archives: list) -> list[_Entry]:
    """Every file to match: the uploads themselves, and the members of the ZIPs among them."""
    entries = []
    for upload in uploads:
        name = (getattr(upload, "name", "") or "upload").rsplit("/", 1)[-1]
        if not _is_zip(upload):
            entries.append(_Entry(name=name, match_name=name, opener=lambda u=upload: _as_file(u)))
            continue
        try:
            archive = zipfile.ZipFile(upload)
            members = zip_members_checked(archive, name=name, limits=_zip_limits())
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
            raise ApplicationError(f"{name} is not a ZIP file that can be read ({exc}); nothing was attached.",
                                   {"field": "files"}) from None
        except ValueError as exc:
            raise ApplicationError(f"{exc} Nothing was attached.", {"field": "files"}) from None
        archives.append(archive)
        for member in members:
            base = member.filename.rsplit("/", 1)[-1]
            if member.filename.startswith(_JUNK_PREFIXES) or base in _JUNK_NAMES or base.startswith("._"):
                continue
            entries.append(_Entry(name=f"{name}: {member.filename}", match_name=member.filename,
                                  opener=_member_opener(archive, member)))
    if len(entries) > settings.MAX_FULLTEXT_BULK_FILES:
        raise ApplicationError(f"This upload holds {len(entries):,} files; at most {settings.MAX_FULLTEXT_BULK_FILES:,}"
                               " are taken at once (MAX_FULLTEXT_BULK_FILES). Nothing was attached.",
                               {"field": "files"})
    return entries


def _record_keys(review: Review, *, with_raw: bool) -> list[RecordKeys]:
    """The review's records as screening knows them (merged duplicates go with their primary)."""
    rows = Record.objects.filter(review=review, duplicate_of__isnull=True)
    if not with_raw:
        return [RecordKeys(id=i, number=n, doi=d, pmid=p) for i, n, d, p in
                rows.values_list("id", "number", "doi", "pmid").iterator(chunk_size=5000)]
    return [RecordKeys(id=i, number=n, doi=d, pmid=p, pmcid=pmcid_of(raw), ris_id=ris_id_of(raw)) for i, n, d, p, raw
            in rows.values_list("id", "number", "doi", "pmid", "raw").iterator(chunk_size=2000)]


def _needs_raw(names: list[str], pattern: str) -> bool:
    if pattern:
        return "{pmcid}" in pattern or "{ris_id}" in pattern
    return any("pmc" in name.lower() for name in names)


@transaction.atomic
def fulltexts_bulk_upload(*, actor, review: Review, uploads: list, pattern: str = "",
                          replace: bool = False) -> BulkReport:
    """Match each file (or ZIP member) to one record and attach it; see the module's docstring."""
    pattern = (pattern or "").strip()
    problem = pattern_problem(pattern)
    if problem:
        raise ApplicationError(problem, {"field": "pattern"})
    if not uploads:
        raise ApplicationError("Choose the PDF files (or ZIP files of them) to upload.", {"field": "files"})
    archives: list[zipfile.ZipFile] = []
    try:
        entries = _entries(uploads, archives)
        return _attach(actor=actor, review=review, entries=entries, pattern=pattern, replace=replace)
    finally:
        for archive in archives:
            archive.close()


def _attach(*, actor, review: Review, entries: list[_Entry], pattern: str, replace: bool) -> BulkReport:
    report = BulkReport()
    names = [entry.match_name for entry in entries]
    matches = match_names(names, _record_keys(review, with_raw=_needs_raw(names, pattern)), pattern)
    numbers = dict(Record.objects.filter(pk__in={i for m in matches for i in m.record_ids})
                   .values_list("pk", "number"))
    existing = dict(FullText.objects.filter(record__review=review, record_id__in=numbers)
                    .values_list("record_id", "original_name"))
    for entry, match in zip(entries, matches, strict=True):
        if match.status == "unmatched":
            report.unmatched.append({"file": entry.name})
        elif match.status == "ambiguous":
            count = len(match.record_ids)
            why = (f"{match.how} fits {count} {ngettext('record', 'records', count)}" if count > 1
                   else "other files of this upload fit the same record: " + ", ".join(match.clash))
            report.ambiguous.append({"file": entry.name, "records": [numbers[i] for i in match.record_ids],
                                     "why": why})
        else:
            _attach_one(actor=actor, entry=entry, record_id=match.record_ids[0], number=numbers[match.record_ids[0]],
                        how=match.how, existing=existing, replace=replace, report=report)
    if report.attached:
        attached = [row["record"] for row in report.attached]
        audit_record(actor=actor, review=review, action=AuditEvent.Action.UPDATE, instance=review, before=None,
                     after={"full texts attached": {f"#{row['record']}": row["file"] for row in report.attached},
                            "replaced": [f"#{row['record']}" for row in report.attached if row["replaced"]]},
                     label=f"{len(attached)} {ngettext('full text', 'full texts', len(attached))} uploaded "
                           "together: " + ", ".join(f"#{n}" for n in attached))
    return report


def _attach_one(*, actor, entry: _Entry, record_id: int, number: int, how: str, existing: dict, replace: bool,
                report: BulkReport) -> None:
    if record_id in existing and not replace:
        report.refused.append({"file": entry.name, "why": f"record #{number} already has a full text "
                                                          f"({existing[record_id]}); choose to replace to change it"})
        return
    with entry.opener() as upload:
        name = (upload.name or entry.name).rsplit("/", 1)[-1]
        try:
            size, sha256 = fulltext_checked(upload, name)
        except ApplicationError as exc:
            report.refused.append({"file": entry.name, "why": exc.message})
            return
        record = Record.objects.select_for_update().get(pk=record_id)
        fulltext_store(actor=actor, record=record, upload=upload, name=name, size=size, sha256=sha256)
    report.attached.append({"file": entry.name, "record": number, "record_id": record_id, "how": how,
                            "replaced": record_id in existing})
