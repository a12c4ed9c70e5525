"""The flush after a transactional test (tests/flush.py) leaves every table empty, the progress tallies
included (their triggers would write rows back), and the sequences where they were, as TRUNCATE does."""
from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from reviewapp.models import Review
from screening.models import ItemTally, ScreeningItem
from tests.conftest import build_team
from tests.screening.helpers import import_bytes, make_search, record, ris


@pytest.mark.django_db(transaction=True)
def test_flush_empties_every_table_and_keeps_the_sequences():
    review, people = build_team()
    import_bytes(make_search(review, people["lead"]), people["lead"], ris(*(record(n) for n in range(1, 6))),
                 "scopus.ris")
    assert ScreeningItem.objects.count() == 5
    if connection.vendor == "postgresql":
        assert ItemTally.objects.filter(n__gt=0).exists()
    last_review = review.pk

    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)  # as after a transactional test

    # post_migrate fills the content types and permissions again, as after any flush
    left = {m._meta.label: m.objects.count() for m in apps.get_models()
            if m._meta.app_label not in ("contenttypes", "auth") or m._meta.model_name == "user"}
    assert {label: n for label, n in left.items() if n} == {}
    again, _ = build_team()
    assert again.pk > last_review
    assert Review.objects.count() == 1
