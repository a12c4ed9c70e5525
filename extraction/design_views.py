"""The study designs page: each study's design as analyses read it, the lead's design per study,
and the design mapping (which extraction field, and which of its answers means which design).
The same services as the API twins (`PATCH studies/{id}/`, `PUT extraction/design-mapping/`)."""
from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from reviewapp.exceptions import ApplicationError
from reviewapp.page_access import review_page
from reviewapp.pages import review_page_context
from screening import services as screening_services
from screening.models import StudyDesign

from . import selectors, services

MAX_MAPPED_ANSWERS = 500  # a form posting more rows than any field has answers is refused


def posted_mapping(post) -> dict[str, str]:
    """{answer: design} from the mapping form's rows (`answer-N`, `design-N`); an answer left on
    "unknown" is left out. Too many rows raise ApplicationError before anything is read."""
    count = sum(1 for name in post if name.startswith("answer-"))
    if count > MAX_MAPPED_ANSWERS:
        raise ApplicationError(f"The mapping form sent {count} answers; at most {MAX_MAPPED_ANSWERS} can be mapped.")
    values = {}
    for name in post:
        if name.startswith("answer-"):
            design = post.get(f"design-{name.removeprefix('answer-')}", "")
            if design:
                values[post[name]] = design
    return values


def _mapping_rows(choice, mapped: dict[str, str]) -> list[tuple[int, str, str]]:
    return [(i, answer, mapped.get(answer, "")) for i, answer in enumerate(choice.answers)] if choice else []


@review_page(GET="view", POST="build_forms")
def study_designs(request: HttpRequest, review_id: int) -> HttpResponse:
    review = request.review
    source = selectors.design_source(review=review)
    choices = selectors.design_mapping_choices(review=review)
    wanted = request.POST.get("field_key") or request.GET.get("field") or source.field_key
    chosen = next((c for c in choices if c.key == wanted), None)
    mapped = source.values if chosen and chosen.key == source.field_key else {}
    error = ""
    if request.method == "POST":
        try:
            mapped = posted_mapping(request.POST)
            services.design_mapping_set(actor=request.user, review=review, field_key=wanted, values=mapped)
            messages.success(request, "The design mapping is saved; analyses read designs through it from now on.")
            return redirect("study_designs", review.pk)
        except ApplicationError as exc:
            error = exc.message
    labels = {c.key: c.label for c in choices}
    response = render(request, "extraction/designs.html", review_page_context(
        review, rows=selectors.study_designs(review=review), source=source, choices=choices, chosen=chosen,
        source_label=labels.get(source.field_key, source.field_key), mapping_rows=_mapping_rows(chosen, mapped),
        designs=[(d, d) for d in StudyDesign.values], error=error))
    if error:
        response.status_code = 400
    return response


@review_page(POST="edit_review")
def study_designs_set(request: HttpRequest, review_id: int) -> HttpResponse:
    """The lead's design of each study the form lists (`design-<study id>`; empty: read it through
    the mapping). All or nothing: one unknown design refuses the whole form."""
    review = request.review
    changed = 0
    try:
        with transaction.atomic():
            for study in review.studies.all():
                posted = request.POST.get(f"design-{study.pk}")
                if posted is None or posted == study.design:
                    continue
                if posted and posted not in StudyDesign.values:
                    raise ApplicationError(f"{study.label}: “{posted}” is not a design; choose one of: "
                                           f"{', '.join(StudyDesign.values)}.")
                screening_services.study_design_set(actor=request.user, study=study, design=posted)
                changed += 1
    except ApplicationError as exc:
        messages.error(request, f"Nothing was saved. {exc.message}")
        return redirect("study_designs", review.pk)
    if not changed:
        messages.info(request, "No study's design changed.")
        return redirect("study_designs", review.pk)
    messages.success(request, ngettext("The design of %(n)d study is saved.", "The designs of %(n)d studies are saved.",
                                       changed) % {"n": changed})
    return redirect("study_designs", review.pk)
