"""Pages that describe the included studies: the descriptive summaries of the extraction fields
and the characteristics of included studies table (page, layout form, downloads).
Each view: access check, selectors or one service, render."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import review_page
from reviewapp.pages import review_page_context
from reviewapp.svg_markup import svg_markup

from . import characteristics, characteristics_files, selectors, services, summaries, summary_chart


def chosen_cross_fields(described, query) -> tuple[object, object, str]:
    """(rows field, columns field, refusal): the two fields the person asked to cross, or by
    default the first two choice fields; a key the form lacks is named in the refusal."""
    choice = [f for f in described.fields if f.kind == "choice"]
    wanted = (query.get("rows", ""), query.get("columns", ""))
    if not any(wanted):
        return (choice[0], choice[1], "") if len(choice) >= 2 else (None, None, "")
    if not all(wanted):
        return None, None, "Choose a field for both the rows and the columns to cross."
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


# -- characteristics of included studies ----------------------------------------------

def posted_layout(post, items) -> dict[str, list[str]]:
    """The layout the page's form posted: each item's chosen column ("" leaves it out), items in
    the form's order within a column. A column name the table lacks is passed on, for the
    service to refuse by name."""
    columns: dict[str, list[str]] = {}
    for item in items:
        place = post.get(f"place-{item.key}", "")
        if place:
            columns.setdefault(place, []).append(item.key)
    return columns


@review_page(GET="view", POST="build_forms")
def characteristics_page(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    table = selectors.characteristics_table(review=review)
    error = ""
    if request.method == "POST":
        try:
            services.characteristics_layout_set(actor=request.user, review=review,
                                                columns=posted_layout(request.POST, table.items))
            messages.success(request, "The columns of the characteristics table are saved.")
            return redirect("extraction_characteristics", review.pk)
        except ApplicationError as exc:
            error = exc.message
    places = {key: column for column, keys in table.layout.items() for key in keys}
    response = render(request, "extraction/characteristics.html", review_page_context(
        review, table=table, columns=list(characteristics.COLUMNS.items()), header=characteristics.header(),
        placed=[(item, places.get(item.key, "")) for item in table.items], error=error,
        formats=list(characteristics_files.CONTENT_TYPES)))
    if error:
        response.status_code = 400
    return response


@review_page(GET="view")
def characteristics_download(request: HttpRequest, review_id: int, fmt: str) -> HttpResponse:
    review = request.review
    if fmt not in characteristics_files.CONTENT_TYPES:
        raise Http404("The table downloads as csv, xlsx or docx.")
    table = selectors.characteristics_table(review=review)
    body = characteristics_files.file_bytes(table, fmt, review_title=review.title)
    response = HttpResponse(body, content_type=characteristics_files.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="characteristics-review{review.pk}.{fmt}"'
    return response
