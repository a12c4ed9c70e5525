"""A review with records to screen and two reviewers (one of them holding two roles)."""
from __future__ import annotations

import pytest

from reviewapp import services as review_services
from screening import services
from tests.screening.helpers import import_bytes, make_search, record, ris


@pytest.fixture
def screeners(review, people, make_user):
    """reviewer and reviewer2 (who is also an extractor) screen; the lead resolves conflicts."""
    second = make_user("reviewer2")
    review_services.member_roles_set(actor=people["lead"], review=review, user=second,
                                     roles=["reviewer", "extractor"])
    return people["reviewer"], second


@pytest.fixture
def records_to_screen(review, people):
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], ris(*(record(n) for n in range(1, 11))), "scopus.ris")
    return list(review.screening_items.order_by("id"))


def decide(review, user, item, value, **extra):
    return services.decision_record(actor=user, review=review, item_id=item.pk, value=value, **extra)
