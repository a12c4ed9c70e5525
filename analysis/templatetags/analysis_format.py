"""Numbers as results tables print them: a real minus sign, fixed decimals, p values as journals do."""
from django import template

from analysis import wording

register = template.Library()


@register.filter
def num(value, digits=2):
    return wording.num(value, int(digits))


@register.filter
def pval(value):
    return wording.pvalue(value).removeprefix("p = ") if value is not None else "NA"


@register.filter
def pct(value, digits=0):
    return "NA" if value is None else f"{value * 100:.{int(digits)}f}%"


@register.filter
def get(mapping, key):
    return (mapping or {}).get(key)
