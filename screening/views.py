"""Pages for searches, imports, records and duplicates. Each view: access check, one service or
selector, render."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import review_page
from reviewapp.pages import query_without_page, review_page_context
from reviewapp.paging import DeferredJoinPaginator
from reviewapp.permissions import can
from reviewapp.uploads import body_limit

from . import exports, selectors, services
from .forms import RecordFilterForm, SearchFileForm, SearchForm
from .models import DuplicatePair, Record, ScreeningStage
from .reruns import next_reruns, rerun_context
from .upload_limits import SEARCH_EXPORT

RECORDS_PER_PAGE = 50


@review_page(GET="view")
def search_list(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    searches = selectors.searches_with_counts(review=review)
    return render(request, "screening/searches.html", review_page_context(
        review, searches=searches, counts=selectors.record_counts(review=review),
        reruns=next_reruns(review=review, today=timezone.localdate())))


@review_page(GET="manage_searches", POST="manage_searches")
def search_create(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    form = SearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        search = services.search_create(actor=request.user, review=review, **form.cleaned_data)
        messages.success(request, "Search recorded. Now upload the file(s) it exported.")
        return redirect("search_detail", review.pk, search.pk)
    return render(request, "screening/search_form.html", review_page_context(review, form=form, creating=True))


@body_limit(SEARCH_EXPORT)
@review_page(GET="view", POST="manage_searches")
def search_detail(request: HttpRequest, review_id: int, search_id: int) -> HttpResponse:
    review = request.review
    search = selectors.search_get(review=review, search_id=search_id)
    form = None
    if request.method == "POST":
        form = SearchFileForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                search_file = services.search_file_create(
                    actor=request.user, search=search, upload=form.cleaned_data["file"],
                    requested_format=form.cleaned_data["format"])
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("search_file_report", review.pk, search_file.pk)
    elif can(roles=review.user_roles, capability="manage_searches"):
        form = SearchFileForm()
    counts = selectors.searches_with_counts(review=review).get(pk=search.pk)
    return render(request, "screening/search_detail.html", review_page_context(
        review, search=counts, files=counts.files.all(), form=form, **rerun_context(search)))


@review_page(GET="manage_searches", POST="manage_searches")
def search_edit(request: HttpRequest, review_id: int, search_id: int) -> HttpResponse:
    review = request.review
    search = selectors.search_get(review=review, search_id=search_id)
    if request.method == "POST" and request.POST.get("delete"):
        try:
            services.search_delete(actor=request.user, search=search)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("search_edit", review.pk, search.pk)
        messages.success(request, "Search deleted.")
        return redirect("search_list", review.pk)
    form = SearchForm(request.POST or None, instance=search)
    if request.method == "POST" and form.is_valid():
        search.refresh_from_db()
        services.search_update(actor=request.user, search=search, **form.cleaned_data)
        messages.success(request, "Search saved.")
        return redirect("search_detail", review.pk, search.pk)
    return render(request, "screening/search_form.html", review_page_context(review, form=form, search=search))


@review_page(GET="view")
def search_file_report(request: HttpRequest, review_id: int, file_id: int) -> HttpResponse:
    review = request.review
    search_file = selectors.search_file_get(review=review, file_id=file_id)
    return render(request, "screening/import_report.html", review_page_context(
        review, file=search_file, search=search_file.search,
        progress=selectors.import_progress(search_file=search_file)))


@review_page(GET="view")
def search_file_progress(request: HttpRequest, review_id: int, file_id: int) -> JsonResponse:
    review = request.review
    search_file = selectors.search_file_get(review=review, file_id=file_id)
    return JsonResponse(selectors.import_progress(search_file=search_file))


@review_page(POST="manage_searches")
def search_file_action(request: HttpRequest, review_id: int, file_id: int) -> HttpResponse:
    review = request.review
    search_file = selectors.search_file_get(review=review, file_id=file_id)
    try:
        if request.POST.get("action") == "retry":
            services.search_file_retry(actor=request.user, search_file=search_file)
            return redirect("search_file_report", review.pk, search_file.pk)
        if request.POST.get("action") == "delete":
            services.search_file_delete(actor=request.user, search_file=search_file)
            messages.success(request, f"{search_file.original_name} removed.")
            return redirect("search_detail", review.pk, search_file.search_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("search_file_report", review.pk, search_file.pk)


@review_page(GET="export_records")
def search_file_download(request: HttpRequest, review_id: int, file_id: int) -> FileResponse:
    review = request.review
    search_file = selectors.search_file_get(review=review, file_id=file_id)
    return FileResponse(search_file.file.open("rb"), as_attachment=True, filename=search_file.original_name)


def _record_filters(request: HttpRequest, review) -> tuple[RecordFilterForm, dict]:
    """The records page's filters from the query string (the page and its export links share them)."""
    form = RecordFilterForm(request.GET or None, review=review)
    filters = form.selector_filters() if form.is_valid() else {}
    if filters:
        filters["viewer"] = selectors.viewer_for(review=review, user=request.user)
    return form, filters


@review_page(GET="view")
def record_list(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    form, filters = _record_filters(request, review)
    # Filters that cannot be read show no records, beside the reason, rather than all of them.
    records = selectors.records_list(review=review, **filters) if not form.errors else Record.objects.none()
    counts = selectors.record_counts(review=review)
    known = None if form.errors else _known_count(filters, counts)
    page = DeferredJoinPaginator(records, RECORDS_PER_PAGE, count=known,
                                 count_with=selectors.search_count_kept(review=review, filters=filters)
                                 ).get_list_page(request.GET)
    # The filters' viewer has read the settings already.
    cfg = filters["viewer"].cfg if "viewer" in filters else selectors.screening_settings_get(review=review)
    return render(request, "screening/records.html", review_page_context(
        review, form=form, page=page, query=query_without_page(request), counts=counts,
        stages=selectors.EXPORT_STAGES, sorts=_sort_links(request), screening_stages=ScreeningStage.choices,
        reasons=cfg.exclusion_reasons),
        status=400 if form.errors else 200)


def _known_count(filters: dict, counts) -> int | None:
    """How many records the list shows when only the duplicates choice (and the order) is set: the
    review's counts on the same page say it, so the list needs no count of its own (None: it does)."""
    rest = {k: v for k, v in filters.items() if k not in ("sort", "viewer")}
    duplicates = rest.pop("duplicates", "hide")
    if rest:
        return None
    return {"hide": counts.unique, "show": counts.imported, "only": counts.merged}.get(duplicates)


def _sort_links(request: HttpRequest) -> dict[str, dict]:
    """Per sortable column, the query that orders by it (again: the other way) and how it sorts now,
    for the column headers; every other filter stays in the URL."""
    current = request.GET.get("sort", "")
    links = {}
    for key in selectors.RECORD_SORTS:
        query = request.GET.copy()
        query.pop("page", None)
        query["sort"] = f"-{key}" if current == key else key
        state = "ascending" if current == key else "descending" if current == f"-{key}" else "none"
        links[key] = {"query": query.urlencode(), "state": state}
    return links


@review_page(POST="export_records")
def record_bulk(request: HttpRequest, review_id: int) -> HttpResponse:
    """The records list's selection: export it (to the export, by the ids) or, for a lead, exclude it
    at one stage with one reason (`services.records_exclude` refuses anyone else)."""
    review = request.review
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit() and len(v) < 12]
    back = reverse("record_list", args=[review.pk])
    query = request.POST.get("query", "")
    if query:
        back += "?" + QueryDict(query).urlencode()
    action = request.POST.get("action")
    if not ids:
        messages.error(request, "Select at least one record first.")
        return redirect(back)
    if action in ("csv", "ris"):
        selection = QueryDict(mutable=True)
        selection.setlist("ids", [str(i) for i in ids])
        selection["stage"] = "all"
        return redirect(reverse(f"record_export_{action}", args=[review.pk]) + "?" + selection.urlencode())
    if action in ("tag", "untag"):
        try:
            count = services.records_tag(actor=request.user, review=review, record_ids=ids,
                                         name=request.POST.get("tag", ""), add=action == "tag")
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            done = (ngettext("%(n)d record tagged.", "%(n)d records tagged.", count) if action == "tag"
                    else ngettext("%(n)d record untagged.", "%(n)d records untagged.", count))
            messages.success(request, done % {"n": count})
        return redirect(back)
    if action == "assign":
        return _assign(request, review, ids, back)
    if action != "exclude":
        messages.error(request, "Unknown action.")
        return redirect(back)
    try:
        count = services.records_exclude(actor=request.user, review=review, stage=request.POST.get("at", ""),
                                         record_ids=ids, reason=request.POST.get("reason", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ngettext("%(n)d record excluded.", "%(n)d records excluded.", count) % {"n": count})
    return redirect(back)


def _assign(request: HttpRequest, review, ids: list[int], back: str) -> HttpResponse:
    reviewer = request.POST.get("reviewer", "")
    try:
        result = services.records_assign(actor=request.user, review=review, stage=request.POST.get("at", ""),
                                         record_ids=ids, reviewer_id=int(reviewer) if reviewer.isdigit() else 0)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    done = ngettext("%(n)d record assigned.", "%(n)d records assigned.", result["assigned"]) % {
        "n": result["assigned"]}
    if result["skipped"]:
        done += " " + ngettext("%(n)d left out: %(why)s.", "%(n)d left out: %(why)s.", len(result["skipped"])) % {
            "n": len(result["skipped"]),
            "why": "; ".join(f"#{n} {why}" for n, why in list(result["skipped"].items())[:10])}
    messages.success(request, done)
    return redirect(back)


@review_page(GET="view")
def record_detail(request: HttpRequest, review_id: int, record_id: int) -> HttpResponse:
    review = request.review
    detail = selectors.record_detail(review=review, record_id=record_id)
    return render(request, "screening/record_detail.html", review_page_context(
        review, detail=detail, record=detail.record, fulltext=getattr(detail.record, "fulltext", None),
        cfg=selectors.screening_settings_get(review=review)))


@review_page(GET="view")
def duplicate_queue(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    status = request.GET.get("status", DuplicatePair.Status.POSSIBLE)
    if status not in DuplicatePair.Status.values:
        status = DuplicatePair.Status.POSSIBLE
    page = Paginator(selectors.duplicate_pairs(review=review, status=status), 50).get_page(request.GET.get("page"))
    return render(request, "screening/duplicates.html", review_page_context(
        review, page=page, status=status, statuses=DuplicatePair.Status.choices,
        counts=selectors.record_counts(review=review)))


@review_page(GET="view", POST="resolve_duplicates")
def duplicate_pair(request: HttpRequest, review_id: int, pair_id: int) -> HttpResponse:
    review = request.review
    pair = selectors.duplicate_pair_get(review=review, pair_id=pair_id)
    if request.method == "POST":
        action = services.DUPLICATE_ACTIONS.get(request.POST.get("action"))
        if action is None:
            messages.error(request, "Unknown action.")
            return redirect("duplicate_pair", review.pk, pair.pk)
        try:
            pair = action(actor=request.user, pair=pair)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("duplicate_pair", review.pk, pair.pk)
        messages.success(request, f"Records #{pair.record_a.number} and #{pair.record_b.number}: "
                                  f"{pair.get_status_display().lower()}.")
        following = selectors.next_possible_pair(review=review, after=pair)
        if request.POST.get("then") == "next-pair" and following is not None:
            return redirect("duplicate_pair", review.pk, following.pk)
        return redirect(request.POST.get("return") == "record" and
                        reverse("record_detail", args=[review.pk, pair.record_a_id]) or
                        reverse("duplicate_queue", args=[review.pk]))
    return render(request, "screening/duplicate_pair.html", review_page_context(
        review, pair=pair, comparison=selectors.duplicate_pair_comparison(pair=pair)))


@review_page(GET="export_records")
def record_export(request: HttpRequest, review_id: int, fmt: str) -> StreamingHttpResponse:
    review = request.review
    stage = request.GET.get("stage", "unique")
    if stage not in selectors.EXPORT_STAGES:
        stage = "unique"
    form, filters = _record_filters(request, review)
    if form.errors:
        return HttpResponseBadRequest(" ".join(e for errors in form.errors.values() for e in errors),
                                      content_type="text/plain; charset=utf-8")
    filtered = any(key not in ("viewer", "sort") for key in filters)
    records = selectors.records_for_export(review=review, stage=stage, screening_stage=filters.pop("stage", ""),
                                           **filters)
    if fmt == "ris":
        body, content_type = exports.ris_chunks(records), "application/x-research-info-systems; charset=utf-8"
    else:
        body, content_type = exports.csv_chunks(records), "text/csv; charset=utf-8"
    response = StreamingHttpResponse(body, content_type=content_type)
    name = f"review-{review.pk}-{stage}-records{'-filtered' if filtered else ''}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
