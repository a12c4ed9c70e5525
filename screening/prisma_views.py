"""Pages and downloads of PRISMA 2020: the flow diagram, the records behind each box, the search
appendix and the checklist. Each view: access check, one selector or service, render."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext

from reviewapp.exceptions import ApplicationError
from reviewapp.figures import figure_response
from reviewapp.page_access import review_page
from reviewapp.pages import query_without_page, review_page_context
from reviewapp.permissions import can
from reviewapp.tabular import csv_text

from . import prisma, prisma2020, prisma_diagram, selectors, services
from .prisma_checklist import ITEMS


def _diagram(review) -> str:
    counts = selectors.prisma_counts_kept(review=review)
    return prisma_diagram.svg(counts, link=lambda box: reverse("prisma_box", args=[review.pk, box]),
                              title=f"PRISMA 2020 flow diagram: {review.title}")


@review_page(GET="view")
def prisma_page(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    counts = selectors.prisma_counts_kept(review=review)
    svg = prisma_diagram.svg(counts, link=lambda box: reverse("prisma_box", args=[review.pk, box]))
    return render(request, "screening/prisma.html", review_page_context(
        review, counts=counts, svg=mark_safe(svg)))  # noqa: S308 - every text in the SVG is escaped


@review_page(GET="view")
def prisma_figure(request: HttpRequest, review_id: int, fmt: str) -> HttpResponse:
    review = request.review
    return figure_response(_diagram(review), fmt, f"review-{review.pk}-prisma-flow")


def _csv_response(rows: list[list], filename: str) -> HttpResponse:
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@review_page(GET="view")
def prisma_csv(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    rows = [["box", "count"], *selectors.prisma_counts_kept(review=review).csv_rows()]
    return _csv_response(rows, f"review-{review.pk}-prisma.csv")


@review_page(GET="view")
def prisma2020_csv(request: HttpRequest, review_id: int) -> HttpResponse:
    """The counts in the PRISMA2020 R package's template, for its PRISMA_data() and Shiny app."""
    review = request.review
    return _csv_response(prisma2020.rows(selectors.prisma_counts_kept(review=review)),
                         f"review-{review.pk}-prisma2020.csv")


@review_page(GET="view")
def prisma_box(request: HttpRequest, review_id: int, box: str) -> HttpResponse:
    review = request.review
    try:
        records = prisma.box_records(review=review, box=box)
    except ValueError:
        raise Http404("No such box in the flow diagram.") from None
    page = Paginator(records.select_related("search").defer("raw", "abstract").order_by("id").distinct(), 50
                     ).get_page(request.GET.get("page"))
    return render(request, "screening/prisma_box.html", review_page_context(
        review, box=box, page=page, query=query_without_page(request)))


@review_page(GET="view")
def search_appendix(request: HttpRequest, review_id: int, fmt: str = "") -> HttpResponse:
    review = request.review
    rows = prisma.search_appendix(review=review)
    if fmt == "md":
        response = HttpResponse(prisma.appendix_markdown(review=review, rows=rows),
                                content_type="text/markdown; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="review-{review.pk}-search-appendix.md"'
        return response
    if fmt == "csv":
        return _csv_response([prisma.APPENDIX_CSV_HEADER, *prisma.appendix_csv_rows(rows)],
                             f"review-{review.pk}-search-appendix.csv")
    return render(request, "screening/search_appendix.html", review_page_context(
        review, rows=rows, dedup_method=prisma.DEDUP_METHOD))


@review_page(GET="view", POST="edit_review")
def prisma_checklist(request: HttpRequest, review_id: int, fmt: str = "") -> HttpResponse:
    review = request.review
    if request.method == "POST":
        answers = {item: (request.POST.get(f"location-{item}", ""), request.POST.get(f"note-{item}", ""))
                   for item, *_ in ITEMS}
        try:
            changed = services.checklist_save(actor=request.user, review=review, answers=answers)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Checklist saved ({changed} {ngettext('item', 'items', changed)} changed).")
        return redirect("prisma_checklist", review.pk)
    rows = prisma.checklist_rows(review=review)
    if fmt == "csv":
        return _csv_response([["section", "topic", "item", "checklist item", "where reported", "note"]]
                             + [[r["section"], r["topic"], r["item"], r["asks"], r["location"], r["note"]]
                                for r in rows], f"review-{review.pk}-prisma-checklist.csv")
    return render(request, "screening/prisma_checklist.html", review_page_context(
        review, rows=rows, editable=can(roles=review.user_roles, capability="edit_review")))
