"""Pages that describe the included studies: the descriptive summaries of the extraction fields
(and, beside them, the characteristics table). Each view: access check, selectors, render."""
from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from reviewapp.page_access import review_page
from reviewapp.pages import review_page_context
from reviewapp.svg_markup import svg_markup

from . import selectors, summaries, summary_chart


def chosen_cross_fields(described, query) -> tuple[object, object, str]:
    """(rows field, columns field, refusal): the two fields the person asked to cross, or by
    default the first two choice fields; a key the form lacks is named in the refusal."""
    choice = [f for f in described.fields if f.kind == "choice"]
    wanted = (query.get("rows", ""), query.get("columns", ""))
    if not any(wanted):
        return (choice[0], choice[1], "") if len(choice) >= 2 else (None, None, "")
    picked = [selectors.summary_field_get(described, key) for key in wanted]
    unknown = [key for key, f in zip(wanted, picked, strict=True) if f is None]
    if unknown:
        return None, None, "The form has no field " + " or ".join(f"“{k}”" for k in unknown) + " to cross."
    return picked[0], picked[1], ""


def _chart(summary) -> str:
    bars = [(v.value, v.count) for v in summary.values]
    if summary.missing:
        bars.append((summaries.MISSING, len(summary.missing)))
    return svg_markup(summary_chart.bar_chart(summary.field.label, bars, total=summary.total,
                                              missing_label=summaries.MISSING))


@review_page(GET="view")
def summaries_page(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    described = selectors.described_studies(review=review)
    rows_field, columns_field, refusal = chosen_cross_fields(described, request.GET)
    field_summaries = [summaries.summarise(f, described.studies) for f in described.fields]
    choice = [(s, _chart(s)) for s in field_summaries if isinstance(s, summaries.ChoiceSummary)]
    numbers = [s for s in field_summaries if isinstance(s, summaries.NumberSummary)]
    cross = (summaries.cross_table(rows_field, columns_field, described.studies)
             if rows_field and columns_field else None)
    response = render(request, "extraction/summaries.html", review_page_context(
        review, described=described, choice_summaries=choice, number_summaries=numbers, cross=cross,
        cross_refusal=refusal, fields=described.fields,
        outcomes=summaries.outcome_frequencies(described.studies, described.outcome_names)))
    if refusal:
        response.status_code = 400
    return response
