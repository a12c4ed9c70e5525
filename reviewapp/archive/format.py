"""What a review archive is on the outside: its name, its version, its manifest, and the checks
a ZIP file passes before anything in it is read. reviewapp/archive/FORMAT.md describes the format for people.

Versioning: FORMAT_VERSION says what a reader must understand. Additive changes (a new model, a
new field with a default) keep it, since a newer importer reads an older archive by giving the
missing fields their defaults; anything else (a field renamed, removed or given a new meaning)
bumps it, and READABLE_VERSIONS lists every version this importer still reads.
"""
from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

from django.conf import settings
from django.utils.translation import ngettext

from ..exceptions import ApplicationError

FORMAT_NAME = "systematic-review-archive"
FORMAT_VERSION = "1"
READABLE_VERSIONS = ("1",)

MANIFEST = "manifest.json"
USERS = "users.jsonl"
DATA_DIR = "data/"
CSV_DIR = "csv/"
FILES_DIR = "files/"

MB = 1024 * 1024
# Ratios are only judged for members big enough to matter; JSON Lines of records compress about
# 5-10:1, PDFs hardly at all, while a decompression bomb is 1000:1.
RATIO_FLOOR_BYTES = 10 * MB
MAX_RATIO = 200
MAX_MEMBERS = 1_000_000


class ArchiveError(ApplicationError):
    """The archive is refused; the message says why (and which object, where one is at fault).
    Pages and the API show it as any refusal (the API: 400 with the field at fault)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, {"field": field})


def data_name(label: str) -> str:
    return f"{DATA_DIR}{label}.jsonl"


def app_version() -> str:
    """The app's version as deployments set it (APP_VERSION), else the git commit, else 'unknown'."""
    if os.environ.get("APP_VERSION"):
        return os.environ["APP_VERSION"]
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=Path(__file__).resolve().parent,
                             capture_output=True, text=True, timeout=2, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out.stdout.strip() or "unknown"


# Memory stays bounded whatever the archive holds: members are read as streams, a JSON line at a
# time, so a web process holds one line (and its parsed row) and one batch of rows. The limits
# below are judged from the ZIP's directory before anything is inflated, and again as lines are
# read (a line's length is only known then).
#
# A row's line: the largest real ones are an analysis run (inputs, results and two plots; about
# 1 MB for 500 studies) and a record with a long abstract (tens of KB). json.loads needs several
# times the line, so 8 MB keeps one row well under 100 MB.
MANIFEST_MAX_BYTES = 1 * MB


def max_line_bytes() -> int:
    return getattr(settings, "ARCHIVE_MAX_LINE_MB", 8) * MB


def max_unpacked_bytes() -> int:
    """All members together. Reading is streamed, so this bounds the time and disk an import
    takes, not its memory: 2,000 MB holds a review of 100,000 records with a thousand full texts."""
    return getattr(settings, "ARCHIVE_MAX_UNPACKED_MB", 2000) * MB


def max_file_bytes() -> int:
    """One uploaded file (a search export or a full text): the largest upload the site accepts."""
    return max(getattr(settings, "MAX_UPLOAD_MB", 200), getattr(settings, "MAX_FULLTEXT_MB", 50)) * MB


def _member_limit(name: str) -> tuple[int, str] | None:
    """The most one member may unpack to, and the setting that says so (None: only the total)."""
    if name == MANIFEST:
        return MANIFEST_MAX_BYTES, f"{MANIFEST_MAX_BYTES // MB} MB for {MANIFEST}"
    if name.startswith(FILES_DIR):
        return max_file_bytes(), "MAX_UPLOAD_MB, the largest file the site accepts"
    return None


def open_checked(source) -> zipfile.ZipFile:
    """The archive as a ZipFile, once its directory shows nothing that would unpack beyond the
    limits (the same guard as search uploads: sizes come from the directory, before anything is
    inflated, and Python's zipfile never inflates a member beyond its declared size)."""
    try:
        archive = zipfile.ZipFile(source)
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError) as exc:
        raise ArchiveError(f"This is not a review archive: the ZIP file is damaged or incomplete ({exc}).",
                           field="file") from None
    limit = max_unpacked_bytes()
    if len(members) > MAX_MEMBERS:
        raise ArchiveError(f"The archive holds {len(members):,} files; at most {MAX_MEMBERS:,} are read.",
                           field="file")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise ArchiveError(f"The part {member.filename!r} of the archive is encrypted; an archive never is.",
                               field="file")
        total += member.file_size
        limit_of_member = _member_limit(member.filename)
        if limit_of_member is not None and member.file_size > limit_of_member[0]:
            raise ArchiveError(f"The part {member.filename!r} of the archive unpacks to {member.file_size / MB:,.1f} "
                               f"MB; the limit is {limit_of_member[0] / MB:,.0f} MB ({limit_of_member[1]}).",
                               field="file")
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise ArchiveError(
                f"The part {member.filename!r} of the archive is compressed "
                f"{member.file_size // max(member.compress_size, 1):,} to 1 (the limit is {MAX_RATIO} to 1); "
                "it is refused as a decompression bomb.", field="file")
    if total > limit:
        raise ArchiveError(f"The archive unpacks to {total / MB:,.0f} MB; the limit is {limit / MB:,.0f} MB "
                           "(ARCHIVE_MAX_UNPACKED_MB).", field="file")
    return archive


def check_manifest(manifest) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ArchiveError(f"This is not a review archive: its {MANIFEST} does not name the format "
                           f"{FORMAT_NAME!r}.", field="file")
    version = str(manifest.get("format_version"))
    if version not in READABLE_VERSIONS:
        raise ArchiveError(
            f"This archive has format version {version}; this site reads "
            f"{ngettext('version', 'versions', len(READABLE_VERSIONS))} {', '.join(READABLE_VERSIONS)}. "
            "It was made by a newer version of the app: update this site, then import it again.",
            field="file")
    if not isinstance(manifest.get("counts"), dict):
        raise ArchiveError(f"The archive's {MANIFEST} has no counts per model.", field="file")
