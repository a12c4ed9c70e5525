"""The page that records a new run of a search (a living review's update)."""
from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import ReviewRequest, review_page
from reviewapp.pages import review_page_context

from . import selectors, services
from .forms import SearchRerunForm


@review_page(GET="manage_searches", POST="manage_searches")
def search_rerun(request: ReviewRequest, review_id: int, search_id: int) -> HttpResponse:
    review = request.review
    search = selectors.search_get(review=review, search_id=search_id)
    initial = {"query": search.query, "limits": search.limits}
    form = SearchRerunForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rerun = services.search_rerun(actor=request.user, search=search, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error("date_run", exc.message)
        else:
            messages.success(request, "New run recorded. Upload its export: only records never seen will be screened.")
            return redirect("search_detail", review.pk, rerun.pk)
    return render(request, "screening/search_rerun.html", review_page_context(review, form=form, search=search))
