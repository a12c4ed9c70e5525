"""screening.prioritise must import and run without Django, DRF or Celery (like analysis.stats)."""
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
                raise ImportError(f"{name} is blocked: screening.prioritise must stay pure")
            return None

    sys.meta_path.insert(0, Blocker())
    """
)


def test_prioritise_imports_and_ranks_without_django() -> None:
    code = BLOCKER + textwrap.dedent(
        """
        import screening.prioritise as p
        ranking = p.Prioritiser(["a b", "c d", "a e"]).rank({0: 1, 1: 0})
        assert ranking.order.tolist() == [2]
        blocked = [m for m in sys.modules if m.split(".")[0] in ("django", "rest_framework", "celery")]
        assert not blocked, blocked
        print("ok")
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"
