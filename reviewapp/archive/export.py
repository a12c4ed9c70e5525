"""Writing a review's archive: every registered model's rows as JSON Lines, the people they name,
the uploaded files, each app's CSVs, and the manifest. Rows are read in chunks, so memory stays
flat whatever the size of the review."""
from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from ..models import Review
from . import fields as F
from .format import CSV_DIR, FILES_DIR, FORMAT_NAME, FORMAT_VERSION, MANIFEST, USERS, app_version, data_name
from .registry import model_parts, registered_parts

CHUNK = 2000


class _People:
    """Usernames of the people rows name, looked up once each."""

    def __init__(self):
        self.by_id: dict[int, str] = {}

    def username(self, user_id: int | None) -> str | None:
        if user_id is None:
            return None
        if user_id not in self.by_id:
            user = get_user_model().objects.get(pk=user_id)
            self.by_id[user_id] = user.get_username()
        return self.by_id[user_id]

    def rows(self) -> Iterable[dict]:
        user_model = get_user_model()
        for user in user_model.objects.filter(pk__in=list(self.by_id)).order_by(user_model.USERNAME_FIELD):
            # No e-mail addresses: an archive is a download, and no answer shows another person's address.
            yield {"id": user.pk, "username": user.get_username(),
                   "first_name": getattr(user, "first_name", ""), "last_name": getattr(user, "last_name", "")}


def _member(name: str) -> zipfile.ZipInfo:
    """A member stamped with the time of writing (a bare name would say 1980)."""
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_lines(archive: zipfile.ZipFile, name: str, lines: Iterable[dict]) -> int:
    count = 0
    with archive.open(_member(name), "w", force_zip64=True) as raw, io.TextIOWrapper(raw, encoding="utf-8",
                                                                           newline="\n") as out:
        for line in lines:
            out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")))
            out.write("\n")
            count += 1
    return count


def _rows(review: Review, part, plans, people: _People, files: list):
    label = part.label
    for obj in part.rows(review).order_by("pk").iterator(chunk_size=CHUNK):
        row = {"id": obj.pk}
        for p in plans:
            if p.kind == F.FILE:
                stored = getattr(obj, p.field.attname)
                if stored and stored.name:
                    path = f"{FILES_DIR}{label}/{obj.pk}/{p.name}/{stored.name.rsplit('/', 1)[-1]}"
                    files.append((path, stored))
                    row[p.name] = path
                else:
                    row[p.name] = None
            elif p.kind == F.USER:
                row[p.name] = people.username(getattr(obj, p.field.attname))
            elif p.kind in (F.REF, F.REVIEW):
                row[p.name] = getattr(obj, p.field.attname)
            else:
                row[p.name] = F.json_value(p.field.value_from_object(obj))
        yield row


def _write_csv(archive: zipfile.ZipFile, name: str, content) -> None:
    if isinstance(content, bytes):
        archive.writestr(CSV_DIR + name, content)
        return
    with archive.open(_member(CSV_DIR + name), "w", force_zip64=True) as out:
        for chunk in [content] if isinstance(content, str) else content:
            out.write(chunk.encode("utf-8"))


def archive_write(*, review: Review, out: BinaryIO) -> dict:
    """Write the archive of ``review`` to the binary file ``out``; returns the manifest."""
    counts: dict[str, int] = {}
    people = _People()
    missing: list[str] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for part in model_parts():
            files: list = []
            counts[part.label] = _write_lines(archive, data_name(part.label),
                                              _rows(review, part, F.plan(part.model), people, files))
            # A member open for writing excludes every other, so the files follow their rows.
            for path, stored in files:
                try:
                    with stored.storage.open(stored.name, "rb") as source, \
                            archive.open(_member(path), "w", force_zip64=True) as target:
                        while chunk := source.read(1024 * 1024):
                            target.write(chunk)
                except FileNotFoundError:
                    missing.append(path)
        counts[get_user_model()._meta.label] = _write_lines(archive, USERS, people.rows())
        csvs = []
        for part in registered_parts():
            for name, make in part.csvs.items():
                _write_csv(archive, name, make(review))
                csvs.append(CSV_DIR + name)
        manifest = {
            "format": FORMAT_NAME, "format_version": FORMAT_VERSION, "app_version": app_version(),
            "exported_at": timezone.now().isoformat(), "review": {"id": review.pk, "title": review.title},
            "models": [p.label for p in model_parts()], "counts": counts, "csv": csvs,
            # Files the database names but storage no longer holds: their rows say null on import.
            "missing_files": missing,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest
