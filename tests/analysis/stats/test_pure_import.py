"""The numeric engine must import without Django, DRF or Celery.

The check runs in a fresh interpreter where those packages are made
unimportable, so any Django import creeping into analysis.stats fails here.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.support import REPO_ROOT

BLOCKER = textwrap.dedent(
    """
    import sys

    class Blocker:
        BLOCKED = ("django", "rest_framework", "celery")

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.BLOCKED:
                raise ImportError(f"{name} is blocked: analysis.stats must stay pure")
            return None

    sys.meta_path.insert(0, Blocker())
    """
)


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=120,
    )


def test_engine_imports_and_fits_without_django() -> None:
    proc = _run(
        """
        import analysis.stats as s
        res = s.rma([0.1, 0.4, 0.3], [0.01, 0.04, 0.09])
        assert res.k == 3
        blocked = [m for m in sys.modules if m.split(".")[0] in ("django", "rest_framework", "celery")]
        assert not blocked, blocked
        print("ok")
        """
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_the_blocker_really_blocks() -> None:
    """The check above would pass vacuously if the blocker did nothing."""
    proc = _run("import django\n")
    assert proc.returncode != 0
    assert "blocked" in proc.stderr
