"""Shared helpers for tests: where the real data lives, and skip-or-fail.

The real data the core tests need is carried in tests/data (see its README for
sources and licences); only what is large or GPL-licensed stays in the shared
folder beside the repository (../shared/data). On a developer's own clone a test
that needs an outside part (that folder, R, Chromium, PostgreSQL, Redis, a Celery
worker) skips with a reason. In CI (CI=true) every such part is installed, so a
missing one is a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
#: real data carried in the repository (permissively licensed, a few MB)
TEST_DATA = REPO_ROOT / "tests" / "data"
#: the rest, beside the repository: large files and GPL-licensed ones
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


def data_path(*parts: str) -> Path:
    """Where a real-data file or folder is: the copy in tests/data when carried,
    else ../shared/data. The path may not exist; ``shared_data`` checks."""
    local = TEST_DATA.joinpath(*parts)
    return local if local.exists() else SHARED_DATA.joinpath(*parts)


def shared_data(*parts: str) -> Path:
    """Path to a real-data file (tests/data, else ../shared/data), skipping (or failing in CI) when absent."""
    path = data_path(*parts)
    require(path.exists(), f"real data not found at {path} (neither in tests/data nor in ../shared/data)")
    return path
