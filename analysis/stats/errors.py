"""Errors raised by the meta-analysis engine.

Both derive from ValueError so callers that validate user input with one
``except ValueError`` also catch a model metafor itself would refuse.
"""
from __future__ import annotations


class MetaAnalysisError(ValueError):
    """The data cannot be analysed as asked (metafor refuses the same model)."""


class ConvergenceError(MetaAnalysisError):
    """An iterative estimator did not converge."""
