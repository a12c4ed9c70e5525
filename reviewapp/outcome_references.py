"""What the later stages hold of an outcome, by name: registered by each stage, read when an outcome is
renamed or deleted (reviewapp knows no stage app: each names a function returning its references as
``outcome_references`` on its AppConfig, see extensions.py).

Answers are JSON, so an outcome data row names its outcome rather than holding a foreign key to it.
Each stage that stores names declares one `OutcomeReferences`: renaming an outcome carries every
stored name with it in the same transaction, and deleting one is refused while anything names it.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .extensions import declared_functions


@dataclass(frozen=True)
class OutcomeReferences:
    # What names the outcome, in words for the refusal ("outcome data of 2 studies"); [] when nothing.
    uses: Callable[..., list[str]]  # (*, outcome) -> list[str]
    # Carry every stored name from ``old`` to the outcome's current name; returns how many were changed.
    rename: Callable[..., int]  # (*, actor, outcome, old: str) -> int


def registered_outcome_references() -> list[OutcomeReferences]:
    return [references() for references in declared_functions("outcome_references")]
