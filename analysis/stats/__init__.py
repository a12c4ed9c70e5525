"""Pure numeric meta-analysis engine (numpy/scipy only; no Django).

Results match R's metafor 3.8 run to convergence.  Public API:

- :func:`escalc` -> :class:`EffectSizes` (``.yi``, ``.vi``), and
  :func:`from_summary` for studies reporting an estimate with CI, SE, t, F or p;
- :func:`rma` -> :class:`RmaResult`, with :class:`CoefTable`,
  :class:`FitStats` and :class:`Prediction`;
- :func:`subgroup_analysis` -> :class:`SubgroupResult`;
- :func:`estimate_tau2` and :func:`tau2_qprofile` for the pieces;
- :class:`MetaAnalysisError` / :class:`ConvergenceError` for refusals.
"""
from .effect_sizes import MEASURES, EffectSizes, escalc, from_summary
from .errors import ConvergenceError, MetaAnalysisError
from .qprofile import Tau2Interval, tau2_qprofile
from .rma import CoefTable, FitStats, Prediction, RmaResult, rma
from .subgroups import SubgroupResult, subgroup_analysis
from .tau2 import METHODS, Tau2Estimate, estimate_tau2

__all__ = [
    "MEASURES",
    "METHODS",
    "CoefTable",
    "ConvergenceError",
    "EffectSizes",
    "FitStats",
    "MetaAnalysisError",
    "Prediction",
    "RmaResult",
    "SubgroupResult",
    "Tau2Estimate",
    "Tau2Interval",
    "escalc",
    "estimate_tau2",
    "from_summary",
    "rma",
    "subgroup_analysis",
    "tau2_qprofile",
]

# --- publication bias and plots (bias.py, plots.py; maintained by their author) ---
from .bias import (  # noqa: E402
    FsnResult, RanktestResult, RegtestResult, TrimfillResult, fsn, ranktest, regtest, trimfill,
)
from .plots import forest_svg, funnel_svg  # noqa: E402
from .sensitivity import Leave1outResult, leave1out  # noqa: E402

__all__ += [
    "FsnResult", "Leave1outResult", "RanktestResult", "RegtestResult", "TrimfillResult",
    "forest_svg", "fsn", "funnel_svg", "leave1out", "ranktest", "regtest", "trimfill",
]
# --- end of bias and plots block ---
