"""The registry through which each app puts its models (and its CSVs) into a review's archive.

reviewapp may not import a stage app, so the archive cannot list their models itself: each app
names a function returning its `ArchivePart`s on its AppConfig (``archive_parts``, see
reviewapp/extensions.py), each naming its models in the order they must be
imported (a model after every model its foreign keys point to) and saying how to find a review's
rows, which JSON fields embed ids, and which CSVs it adds for people to read. Apps are imported
in INSTALLED_APPS order (reviewapp, screening, extraction, analysis), which is the order data
flows; parts of `phase` 1 come after all others (the audit trail, which names objects of every app).

Like the other extension points, this module imports nothing but Django's model layer.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.db import models

from ..extensions import declared_functions

# A function that turns a source id of a model (by label) into the target id, or None when the
# object is not in the archive: JSON remappers receive it.
IdLookup = Callable[[str, Any], Any]
# value, lookup, the archived row -> the value with every embedded id translated
IdsRemap = Callable[[Any, IdLookup, dict], Any]


@dataclass(frozen=True)
class ModelPart:
    """One model's rows of a review.

    ``rows`` gives the review's rows (a queryset; it is iterated in chunks, ordered by id).
    ``embedded_ids`` names fields whose values embed ids (JSON, or an id kept as text), with the
    function that translates them (the archive keeps source ids; the importer calls it once every
    model before this one is in).
    ``audit_ids`` names further keys of this model's audit snapshots that hold ids, with the label
    of the model they point to. ``natural_key`` marks a site-level model (e.g. appraisal tools):
    an archived row stands for the target's row with the same natural key and the same
    ``same_fields`` values, and for nothing otherwise. An archive is data, not authority: it never
    creates or changes a site-level row, and a reference to one the target lacks becomes empty
    (the referring field must allow it; e.g. an appraisal form whose tool differs from this site's
    becomes a custom tool of the imported review, since its published versions hold the tool).
    ``adjust`` may change an archived row before it is read (e.g. work that was waiting for a
    worker on the source site, which no worker of the target will pick up).
    """

    model: type[models.Model]
    rows: Callable[[Any], models.QuerySet]
    embedded_ids: Mapping[str, IdsRemap] = field(default_factory=dict)
    audit_ids: Mapping[str, str] = field(default_factory=dict)
    natural_key: tuple[str, ...] = ()
    same_fields: tuple[str, ...] = ()
    adjust: Callable[[dict], dict] | None = None

    @property
    def label(self) -> str:
        return self.model._meta.label


# name -> (content type, function of the review giving the file's content: str, bytes or str chunks)
CsvMaker = Callable[[Any], "str | bytes | Iterable[str]"]


@dataclass(frozen=True)
class ArchivePart:
    app: str
    models: tuple[ModelPart, ...]
    csvs: Mapping[str, CsvMaker] = field(default_factory=dict)
    phase: int = 0


def unfinished_as_failed(*, waiting: tuple[str, ...], failed: str, message: str) -> Callable[[dict], dict]:
    """An ``adjust`` for a job row (an import, a ranking, an analysis run) still waiting or running
    when the review was archived: no worker of the target site will ever take it, so it arrives
    failed with ``message`` (and may be started again there)."""
    def adjust(row: dict) -> dict:
        if row.get("status") in waiting:
            return {**row, "status": failed, "error": message}
        return row
    return adjust


@cache
def registered_parts() -> list[ArchivePart]:
    """Every app's parts (``archive_parts`` on its AppConfig, extensions.py), by phase; within a
    phase in INSTALLED_APPS order."""
    parts = [part for make in declared_functions("archive_parts") for part in make()]
    return sorted(parts, key=lambda p: p.phase)


def model_parts() -> list[ModelPart]:
    """Every archived model, in import order."""
    return [m for part in registered_parts() for m in part.models]
