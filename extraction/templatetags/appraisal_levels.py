"""The class a risk-of-bias judgement is shown with on the pages, from its place on its tool's
scale (the figures' colours, extraction.appraisal.figures), never from its words."""
from __future__ import annotations

from django import template

from ..appraisal import figures, tools

register = template.Library()


@register.filter
def rob_class(level: str | None, source: dict | None) -> str:
    """``{{ judgement|rob_class:tool }}``: rob-best, rob-between(-0, -2), rob-high, rob-worse,
    rob-no-information, or "" (not a level of the tool). ``source`` is the tool or a form
    definition that carries it."""
    tool = tools.tool_of(source or {}) or source or {}
    if not level or not tool.get("scale"):
        return ""
    return figures.level_class(level, figures.Scale.of(tool))
