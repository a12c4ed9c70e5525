"""What the later stages hold of an outcome, by name: registered by each stage, read when an outcome is
renamed or deleted (reviewapp knows no stage app, as with the dashboard's registry).

Answers are JSON, so an outcome data row names its outcome rather than holding a foreign key to it.
Each stage that stores names registers one `OutcomeReferences`: renaming an outcome carries every
stored name with it in the same transaction, and deleting one is refused while anything names it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OutcomeReferences:
    # What names the outcome, in words for the refusal ("outcome data of 2 studies"); [] when nothing.
    uses: Callable[..., list[str]]  # (*, outcome) -> list[str]
    # Carry every stored name from ``old`` to the outcome's current name; returns how many were changed.
    rename: Callable[..., int]  # (*, actor, outcome, old: str) -> int


_REFERENCES: list[OutcomeReferences] = []


def register_outcome_references(references: OutcomeReferences) -> OutcomeReferences:
    if references not in _REFERENCES:
        _REFERENCES.append(references)
    return references


def registered_outcome_references() -> list[OutcomeReferences]:
    return list(_REFERENCES)
