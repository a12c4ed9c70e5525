"""Reading an archive into a new review, in one transaction.

The target site has its own ids, so every row gets a new one: models are read in the registry's
order (a model after those its foreign keys point to), each batch is inserted, and the map from
source id to new id grows model by model; foreign keys, and the JSON fields that embed ids, are
translated through it. A reference to an id the archive does not hold, a missing file, a value a
field refuses: the import stops, names the object, and nothing stays behind (files stored so far
are deleted too, since storage is not part of the transaction).
"""
from __future__ import annotations

import io
import json
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.base import File
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils.text import get_valid_filename

from ..models import Review
from . import fields as F
from .format import (
    MANIFEST,
    MANIFEST_MAX_BYTES,
    MB,
    USERS,
    ArchiveError,
    check_manifest,
    data_name,
    max_line_bytes,
    open_checked,
)
from .registry import ModelPart, model_parts

BATCH = 1000
# What the accounts an archive's people get from an importer who is not staff are called after.
IMPORTED_SUFFIX = "-imported"
READ_BUFFER = 64 * 1024


def _read_json(archive: zipfile.ZipFile, name: str):
    """A small JSON member whole (open_checked has capped its size from the directory)."""
    try:
        with archive.open(name) as handle:
            return json.loads(handle.read(MANIFEST_MAX_BYTES + 1))
    except KeyError:
        raise ArchiveError(f"This is not a review archive: it has no {name}.", field="file") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise ArchiveError(f"The archive's {name} is not valid JSON ({exc}).", field="file") from None


def _lines(archive: zipfile.ZipFile, name: str, required: bool):
    """(line number, row) of a JSON Lines member, read as a stream a line at a time: a line longer
    than max_line_bytes() is refused once that much of it is read, never held whole."""
    try:
        handle = archive.open(name)
    except KeyError:
        if required:
            raise ArchiveError(f"The archive lacks {name}, which its manifest counts.", field="file") from None
        return
    limit = max_line_bytes()
    with handle, io.BufferedReader(handle, READ_BUFFER) as stream:  # 4x faster than ZipExtFile's readline
        number = 0
        while True:
            line = stream.readline(limit + 1)
            if not line:
                return
            number += 1
            if len(line) > limit and not line.endswith(b"\n"):
                raise ArchiveError(f"{name}, line {number}: longer than {limit // MB:,} MB, the most a line of an "
                                   "archive may be (ARCHIVE_MAX_LINE_MB); nothing was imported.", field="file")
            if not line.strip():
                continue
            try:
                row = json.loads(line.decode("utf-8"))
            except (ValueError, UnicodeDecodeError) as exc:
                raise ArchiveError(f"{name}, line {number}: not valid JSON ({exc}).", field="file") from None
            if not isinstance(row, dict):
                raise ArchiveError(f"{name}, line {number}: not a JSON object.", field="file")
            yield number, row


def _insert_as_archived(model, objs: list) -> None:
    """bulk_create, except that the values are stored as they are: bulk_create lets each field's
    pre_save run, which stamps auto_now/auto_now_add times with the present. The raw insert is
    the one Django's own fixture loading (save_base(raw=True)) makes, a batch at a time; the
    ids the database gives come back as with bulk_create."""
    opts = model._meta
    connection = connections[router.db_for_write(model)]
    fields = [f for f in opts.concrete_fields if not f.primary_key and not f.generated]
    size = max(connection.ops.bulk_batch_size(fields, objs), 1)
    if not connection.features.can_return_rows_from_bulk_insert:
        raise ArchiveError("This database cannot report the ids of inserted rows (SQLite 3.35 or later, or "
                           "PostgreSQL, is needed).")
    returning = opts.db_returning_fields
    for start in range(0, len(objs), size):
        chunk = objs[start:start + size]
        rows = model._base_manager._insert(chunk, fields=fields, returning_fields=returning, raw=True,
                                           using=connection.alias)
        for obj, values in zip(chunk, rows, strict=True):
            for field, value in zip(returning, values, strict=True):
                setattr(obj, field.attname, value)
            obj._state.adding = False
            obj._state.db = connection.alias


class _Import:
    def __init__(self, archive: zipfile.ZipFile, manifest: dict, stored: list, trusted: bool, owner=None):
        self.archive = archive
        self.manifest = manifest
        self.names = set(archive.namelist())
        self.missing_files = set(manifest.get("missing_files") or [])
        self.ids: dict[str, dict[int, int]] = {}
        self.users: dict[str, Any] = {}
        self.stored = stored  # (storage, name) of files saved so far
        self.trusted = trusted
        self.owner = owner
        self.review: Review | None = None
        self.source_review_id: int | None = None
        # For the audit trail: the accounts made (archive's username, account), and the archived
        # site-level rows this site lacks (label -> source id -> the unsaved row).
        self.created_people: list[tuple[str, Any]] = []
        self.unmatched: dict[str, dict[int, Any]] = {}

    # -- ids

    def lookup(self, label: str, source_id) -> int | None:
        """The new id of ``source_id`` of the model ``label``, or None when the archive does not hold it."""
        try:
            return self.ids.get(label, {}).get(int(source_id))
        except (TypeError, ValueError):
            return None

    # -- people

    def load_users(self) -> None:
        user_model = get_user_model()
        for number, row in _lines(self.archive, USERS, required=True):
            username = row.get("username")
            if not isinstance(username, str) or not username:
                raise ArchiveError(f"{USERS}, line {number}: a person without a username.", field="file")
            user = self._existing_person(username)
            if user is None:
                user = self._new_person(username, row)
            self.users[username] = user
            if isinstance(row.get("id"), int):  # for the audit trail's snapshots, which name people by id
                self.ids.setdefault(user_model._meta.label, {})[row["id"]] = user.pk

    def _existing_person(self, username: str):
        """The account an archive's person is, or None for a new one. Anyone may write an archive:
        from an importer who is not staff only the importer themself is matched (by their own
        username), so an archive cannot make this site's people members or authors."""
        user_model = get_user_model()
        if self.owner is not None and username == self.owner.get_username():
            return self.owner
        if self.trusted:
            return user_model.objects.filter(**{user_model.USERNAME_FIELD: username}).first()
        return None

    def _new_person(self, username: str, row: dict):
        """An account that cannot sign in until an admin activates it and the person sets a
        password. From an importer who is not staff it never takes the archive's username (an
        archive must not claim 'admin' or a future colleague's name) and gets no e-mail address
        (which would keep its owner from accepting an invitation with a new account)."""
        user_model = get_user_model()
        new_name = username if self.trusted else self._free_username(username)
        user = user_model(**{user_model.USERNAME_FIELD: new_name}, is_active=False)
        for key in ("email", "first_name", "last_name") if self.trusted else ("first_name", "last_name"):
            if isinstance(row.get(key), str) and hasattr(user, key):
                setattr(user, key, row[key])
        user.set_unusable_password()
        try:
            user.full_clean(exclude=["password", "last_login", "date_joined"])
        except ValidationError as exc:
            raise ArchiveError(f"Person {username!r}: {'; '.join(exc.messages)}", field="file") from None
        user.save()
        self.created_people.append((username, user))
        return user

    @staticmethod
    def _free_username(username: str) -> str:
        """``<username>-imported`` (then -2, -3, ...), the first one no account has."""
        user_model = get_user_model()
        limit = user_model._meta.get_field(user_model.USERNAME_FIELD).max_length or 150
        base = f"{username[:limit - len(IMPORTED_SUFFIX) - 8]}{IMPORTED_SUFFIX}"
        taken = {name.casefold() for name in user_model.objects.filter(
            **{f"{user_model.USERNAME_FIELD}__istartswith": base}).values_list(user_model.USERNAME_FIELD, flat=True)}
        return next(name for name in (base if n == 1 else f"{base}-{n}" for n in range(1, len(taken) + 2))
                    if name.casefold() not in taken)

    # -- rows

    def _build(self, part: ModelPart, plans, number: int, row: dict, deferred: list, files: list):
        where = f"{part.label} #{row.get('id', '?')}"
        unknown = sorted(set(row) - ({p.name for p in plans} | {"id"}))
        if unknown:
            raise ArchiveError(f"{where}: fields {', '.join(unknown)} are unknown to this site (an archive of a "
                               "newer version of the app?).", field="file")
        if not isinstance(row.get("id"), int):
            raise ArchiveError(f"{where} (line {number}): no whole-number id.", field="file")
        values: dict[str, Any] = {}
        for p in plans:
            if p.name not in row:
                continue  # added to the format after the archive was made: the model's default
            value = row[p.name]
            if p.kind in (F.REVIEW, F.REF) and value is not None and (
                    not isinstance(value, int) or isinstance(value, bool)):
                raise ArchiveError(f"{where}: {p.name} is {value!r}, not an id.", field="file")
            if p.kind == F.USER:
                values[p.field.attname] = self._user_id(where, p, value)
            elif p.kind == F.REVIEW:
                values[p.field.attname] = self._review_id(where, part.label, p, value)
            elif p.kind == F.REF:
                values[p.field.attname] = self._reference(where, part.label, p, value, deferred)
            elif p.kind == F.FILE:
                values[p.field.attname] = self._file_name(where, p, value, files)
            elif p.name in part.embedded_ids:
                values[p.field.attname] = part.embedded_ids[p.name](value, self.lookup, row)
            else:
                values[p.field.attname] = _plain(where, p, value)
        obj = part.model(**values)
        skip = [p.name for p in plans if p.kind != F.VALUE or p.name not in row]
        try:
            obj.clean_fields(exclude=skip)
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ArchiveError(f"{where}: {field}: {'; '.join(messages)}", field="file") from None
        return obj

    def _user_id(self, where: str, p, value):
        """A person is archived by username: the target's account of that name (see _people)."""
        if value is None:
            return None
        if value in self.users:
            return self.users[value].pk
        raise ArchiveError(f"{where}: {p.name} names the person {value!r}, who is not in {USERS}.", field="file")

    def _review_id(self, where: str, label: str, p, value):
        if value is None and p.field.null:
            return None
        if label == Review._meta.label or value == self.source_review_id:
            return self.review.pk
        raise ArchiveError(f"{where}: belongs to review {value}, not to the archived review "
                           f"{self.source_review_id}.", field="file")

    def _reference(self, where: str, label: str, p, value, deferred: list):
        if value is None:
            return None
        if p.target == label and self.lookup(label, value) is None:
            deferred.append((p, value))  # points to a row further on: set once all are in
            return None
        if value in self.unmatched.get(p.target, {}) and p.field.null:
            return None  # a site-level row this site lacks: see ModelPart
        new = self.lookup(p.target, value)
        if new is None:
            raise ArchiveError(f"{where}: {p.name} points to {p.target} #{value}, which the archive "
                               "does not hold.", field="file")
        return new

    def _file_name(self, where: str, p, value, files: list) -> str:
        """Empty until the file is stored (``files``); a file storage no longer held stays empty."""
        if value is None or value in self.missing_files:
            return ""
        if not isinstance(value, str) or value not in self.names:
            raise ArchiveError(f"{where}: its file {value!r} is missing from the archive.", field="file")
        files.append((p, value))
        return ""

    def _flush(self, part: ModelPart, batch: list) -> None:
        """Insert one batch as archived (times included), map its ids, then store its files."""
        label = part.label
        sources = [b[0] for b in batch]
        objs = [b[1] for b in batch]
        mapping = self.ids.setdefault(label, {})
        if part.natural_key:
            for source, obj in zip(sources, objs, strict=True):
                match = part.model.objects.filter(**{k: getattr(obj, k) for k in part.natural_key}).first()
                if match is not None and all(getattr(match, k) == getattr(obj, k) for k in part.same_fields):
                    mapping[source] = match.pk
                else:
                    self.unmatched.setdefault(label, {})[source] = obj
            return
        try:
            with transaction.atomic():
                _insert_as_archived(part.model, objs)
        except (IntegrityError, DatabaseError) as exc:
            raise ArchiveError(f"{label} #{sources[0]} to #{sources[-1]}: the database refused these rows "
                               f"({exc}).", field="file") from None
        for source, obj in zip(sources, objs, strict=True):
            if source in mapping:
                raise ArchiveError(f"{label} #{source} is in the archive twice.", field="file")
            mapping[source] = obj.pk
        with_files = []
        for source, obj, files in batch:
            for p, path in files:
                storage = p.field.storage
                try:
                    name = self._store(storage, p.field.generate_filename(
                        obj, get_valid_filename(path.rsplit("/", 1)[-1])), path)
                except SuspiciousFileOperation:
                    raise ArchiveError(f"{label} #{source}: the file name {path!r} is not one a file may have.",
                                       field="file") from None
                self.stored.append((storage, name))
                setattr(obj, p.field.attname, name)
                with_files.append(obj)
        if with_files:
            names = sorted({p.field.attname for _, _, files in batch for p, _ in files})
            part.model.objects.bulk_update(with_files, names)

    def _store(self, storage, name: str, path: str) -> str:
        """Copy the member ``path`` into ``storage`` as a stream (open_checked capped its size)."""
        with self.archive.open(path) as handle:
            content = File(handle, name=name)
            # Said outright: File would otherwise ask the local disk for a file of the member's name.
            content.size = self.archive.getinfo(path).file_size
            return storage.save(name, content)

    def load_model(self, part: ModelPart) -> int:
        label = part.label
        plans = F.plan(part.model)
        self_refs = [p for p in plans if p.kind == F.REF and p.target == label]
        required = bool(self.manifest["counts"].get(label))
        batch: list = []
        pending: set[int] = set()
        deferred_all: list = []
        count = 0
        for number, row in _lines(self.archive, data_name(label), required=required):
            # A row naming one of the same model still waiting in this batch: insert the batch
            # first, so the reference is set at once (duplicates point to earlier records).
            if pending and any(row.get(p.name) in pending for p in self_refs):
                self._flush(part, batch)
                batch, pending = [], set()
            if part.adjust is not None:
                row = part.adjust(row)
            deferred: list = []
            files: list = []
            obj = self._build(part, plans, number, row, deferred, files)
            deferred_all.extend((obj, row["id"], p, value) for p, value in deferred)
            count += 1
            if label == Review._meta.label:
                self._start_review(row, obj)
                continue
            batch.append((row["id"], obj, files))
            pending.add(row["id"])
            if len(batch) >= BATCH:
                self._flush(part, batch)
                batch, pending = [], set()
        if batch:
            self._flush(part, batch)
        if label == Review._meta.label and self.review is None:
            raise ArchiveError("The archive holds no review.", field="file")
        if deferred_all:
            fixed = set()
            for obj, source, p, value in deferred_all:
                new = self.lookup(label, value)
                if new is None:
                    raise ArchiveError(f"{label} #{source}: {p.name} points to {label} #{value}, which the archive "
                                       "does not hold.", field="file")
                setattr(obj, p.field.attname, new)
                fixed.add(p.field.attname)
            part.model.objects.bulk_update([d[0] for d in deferred_all], sorted(fixed), batch_size=500)
        return count

    def _start_review(self, row: dict, obj: Review) -> None:
        if self.review is not None:
            raise ArchiveError("The archive holds more than one review.", field="file")
        self.source_review_id = row["id"]
        _insert_as_archived(Review, [obj])
        self.review = obj
        self.ids[Review._meta.label] = {row["id"]: obj.pk}


def files_delete(stored: list) -> None:
    """Delete the files an import stored (storage is not part of the transaction that failed)."""
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:
            pass


@dataclass(frozen=True)
class Loaded:
    review: Review
    manifest: dict
    counts: dict[str, int]  # rows per model
    created_people: list  # (the archive's username, the new inactive account)
    unmatched: dict  # label -> source id -> the archived site-level row this site lacks (not stored)


def _checked_manifest(archive: zipfile.ZipFile) -> dict:
    manifest = _read_json(archive, MANIFEST)
    check_manifest(manifest)
    labels = [p.label for p in model_parts()]
    unknown = sorted(set(manifest["counts"]) - set(labels) - {get_user_model()._meta.label})
    if unknown:
        raise ArchiveError(f"The archive holds {', '.join(unknown)}, which this site does not know (an archive "
                           "of a newer version of the app?).", field="file")
    return manifest


def archive_check(source) -> dict:
    """What can be judged of an archive without reading its data (the ZIP's directory and its
    manifest, at most 1 MB), so that an upload is refused at once rather than by the worker; the
    manifest. The source's position is put back to its start."""
    with open_checked(source) as archive:
        manifest = _checked_manifest(archive)
    source.seek(0)
    return manifest


def archive_load(*, source, stored: list, trusted: bool = True, owner=None,
                 progress: Callable[[int, int], None] | None = None) -> Loaded:
    """Read the archive ``source`` (a path or a binary file) into a new review. Call it inside a
    transaction; each file it stores is added to ``stored``, for the caller to delete if the
    transaction does not commit. People are matched to this site's accounts by username only when
    ``trusted`` (staff, the command line) or when they are the ``owner``; otherwise each gets a new
    inactive account (``<username>-imported``) without an e-mail address. ``progress(rows read,
    rows in the archive)`` is called after each model."""
    archive = open_checked(source)
    with archive:
        manifest = _checked_manifest(archive)
        job = _Import(archive, manifest, stored, trusted, owner)
        # The review's own id is known before its row is read: every row names it.
        job.source_review_id = (manifest.get("review") or {}).get("id")
        total = sum(n for n in manifest["counts"].values() if isinstance(n, int))
        try:
            job.load_users()
            counts = {}
            for part in model_parts():
                counts[part.label] = job.load_model(part)
                if progress is not None:
                    progress(sum(counts.values()), total)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise ArchiveError(f"The archive is damaged: a part of it cannot be read ({exc}).", field="file") from None
    for label, count in counts.items():
        expected = manifest["counts"].get(label, 0)
        if count != expected:
            raise ArchiveError(f"The archive's manifest counts {expected} of {label}, but it holds {count}.",
                               field="file")
    return Loaded(job.review, manifest, counts, job.created_people, job.unmatched)


def _plain(where: str, p, value):
    try:
        return p.field.to_python(value)
    except ValidationError as exc:
        raise ArchiveError(f"{where}: {p.name}: {'; '.join(exc.messages)}", field="file") from None
