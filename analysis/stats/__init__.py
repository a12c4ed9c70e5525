"""Pure numeric meta-analysis engine (numpy/scipy only; no Django).

Results match R's metafor 3.8 run to convergence.  Public API:

- :func:`escalc` -> :class:`EffectSizes` (``.yi``, ``.vi``), and
  :func:`from_summary` for studies reporting an estimate with CI, SE, t, F or p;
- :func:`rma` -> :class:`RmaResult`, with :class:`CoefTable`,
  :class:`FitStats` and :class:`Prediction`;
- :func:`subgroup_analysis` -> :class:`SubgroupResult`;
- :func:`estimate_tau2` and :func:`tau2_qprofile` for the pieces;
- sensitivity and small-study bias: :func:`leave1out`, :func:`regtest` (Egger),
  :func:`ranktest`, :func:`trimfill`, :func:`fsn`;
- plots as SVG text: :func:`forest_svg`, :func:`funnel_svg`;
- :class:`MetaAnalysisError` / :class:`ConvergenceError` for refusals.
"""
from ._inputs import json_safe
from .bias import FsnResult, RanktestResult, RegtestResult, TrimfillResult, fsn, ranktest, regtest, trimfill
from .effect_sizes import MEASURES, EffectSizes, escalc, from_summary
from .errors import ConvergenceError, MetaAnalysisError
from .forest import forest_svg
from .plots import funnel_svg
from .qprofile import Tau2Interval, tau2_qprofile
from .rma import CoefTable, FitStats, Prediction, RmaResult, rma
from .sensitivity import Leave1outResult, leave1out
from .subgroups import SubgroupResult, subgroup_analysis
from .tau2 import METHODS, Tau2Estimate, estimate_tau2

__all__ = [
    "MEASURES", "METHODS",
    "CoefTable", "ConvergenceError", "EffectSizes", "FitStats", "FsnResult", "Leave1outResult",
    "MetaAnalysisError", "Prediction", "RanktestResult", "RegtestResult", "RmaResult",
    "SubgroupResult", "Tau2Estimate", "Tau2Interval", "TrimfillResult",
    "escalc", "estimate_tau2", "forest_svg", "from_summary", "fsn", "funnel_svg", "json_safe", "leave1out",
    "ranktest", "regtest", "rma", "subgroup_analysis", "tau2_qprofile", "trimfill",
]
