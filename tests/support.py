"""Shared helpers for tests: where the real data lives, and skip-or-fail.

On a developer's own clone a test that needs an outside part (the shared data
folder, R, Chromium, PostgreSQL, Redis, a Celery worker) skips with a reason.
In CI (CI=true) every such part is installed, so a missing one is a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip the calling test when ``condition`` is false, or fail it in CI."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"required in CI but missing: {reason}")
    pytest.skip(reason)


def shared_data(*parts: str) -> Path:
    """Path to a file under ../shared/data, skipping (or failing in CI) when absent."""
    path = SHARED_DATA.joinpath(*parts)
    require(path.exists(), f"real data not found at {path} (the shared/ folder beside the repo)")
    return path
