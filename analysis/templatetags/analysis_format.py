"""Numbers as results tables print them: a real minus sign, fixed decimals, p values as journals do."""
from django import template

from analysis import wording
from reviewapp.svg_markup import svg_markup

register = template.Library()


@register.filter
def num(value, digits=2):
    return wording.num(value, int(digits))


@register.filter
def ci(level, kind="CI"):
    """The name of an interval with its level: {{ s.level|ci }} is "95% CI", {{ s.level|ci:"PI" }} "95% PI"."""
    return wording.ci_label(95 if level in (None, "") else float(level)).replace("CI", kind)


@register.filter
def pval(value):
    """For a table cell: 0.483, or < 0.001."""
    return wording.pvalue(value).removeprefix("p = ").removeprefix("p ") if value is not None else "NA"


@register.filter
def p_is(value):
    """In a sentence: p = 0.483, or p < 0.001."""
    return wording.pvalue(value)


@register.filter
def pct(value, digits=0):
    return "NA" if value is None else f"{value * 100:.{int(digits)}f}%"


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)


@register.filter
def plot(svg):
    """A stored plot inline, as markup rebuilt by reviewapp.svg_markup (never the stored text itself)."""
    return svg_markup(svg)
