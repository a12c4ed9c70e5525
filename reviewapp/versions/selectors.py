"""Reads of review versions."""
from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from ..models import Review
from .models import ReviewVersion


def versions_of(*, review: Review) -> QuerySet[ReviewVersion]:
    return ReviewVersion.objects.filter(review=review).select_related("published_by", "archive").order_by("-number")


def version_get(*, review: Review, number: int) -> ReviewVersion:
    version = versions_of(review=review).filter(number=number).first()
    if version is None:
        raise Http404("No such version of this review.")
    return version


def latest_version(*, review: Review | int) -> ReviewVersion | None:
    review_id = review if isinstance(review, int) else review.pk
    return ReviewVersion.objects.filter(review_id=review_id).order_by("-number").first()
