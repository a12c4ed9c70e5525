"""The one way an app extends the review manager: attributes of its AppConfig.

reviewapp imports no stage app (import-linter); instead each app declares, on its AppConfig,
dotted paths to what it adds, and the registries here read every installed app's declarations
(in INSTALLED_APPS order) when first asked. An attribute an app does not declare adds nothing.

==========================  ====================================================================
attribute                   what it names
==========================  ====================================================================
``review_stages``           dashboard providers ``(review, user, roles) -> Stage | None``
``api_urls``                a module of API routes, included under /api/v1/reviews/<review_id>/
``audit_summaries``         {model label: ``summary(event) -> str | None``} wording audit events
``audit_values``            {(model label, field): ``words(event, value) -> str | None``}
``archive_parts``           functions returning the app's ``ArchivePart`` list (reviewapp.archive)
``resumers``                functions sending the app's unfinished background tasks again
``demo_loaders``            idempotent functions adding the app's data to the demo review
``outcome_references``      functions returning the app's ``OutcomeReferences``
``version_figures``         functions ``(review) -> dict`` of figures kept with a published version
==========================  ====================================================================

Paths rather than objects, so that declaring imports nothing: ``ready()`` stays free of imports
that would load models or DRF early.
"""
from __future__ import annotations

from functools import cache
from typing import Any

from django.apps import apps
from django.utils.module_loading import import_string


def declared(attribute: str) -> list[Any]:
    """Every app's declaration of ``attribute``, sequences flattened, in INSTALLED_APPS order."""
    out: list[Any] = []
    for config in apps.get_app_configs():
        value = getattr(config, attribute, None)
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            out.extend(value)
        else:
            out.append(value)
    return out


def declared_mapping(attribute: str) -> dict:
    """Every app's ``attribute`` mapping merged (a later app's key wins), values imported."""
    merged: dict = {}
    for mapping in declared(attribute):
        merged.update({key: import_string(path) for key, path in mapping.items()})
    return merged


@cache
def _imported(paths: tuple[str, ...]) -> tuple[Any, ...]:
    return tuple(import_string(path) for path in paths)


def declared_functions(attribute: str) -> list[Any]:
    """The functions (or modules' objects) every app names under ``attribute``, imported."""
    return list(_imported(tuple(declared(attribute))))
