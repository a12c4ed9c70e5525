"""An upload in the team deployment: the web process queues it, a separate Celery worker imports it.

CI starts the worker on the test database and the test media folder (see .ci/run), so the
worker reads the row and the stored file this test writes, exactly as a deployed worker would.
"""
from __future__ import annotations

import time

import pytest

from screening import services
from screening.models import Record, SearchFile
from tests.screening.helpers import make_search, record, ris

pytestmark = pytest.mark.django_db(transaction=True)



def test_an_uploaded_export_is_imported_by_the_worker(live_worker, review, people):
    search = make_search(review, people["lead"], database="PsycINFO")
    data = ris(record(1), record(2), record(3), record(1))  # the fourth repeats the first
    search_file = services.search_file_create(actor=people["lead"], search=search, upload=data,
                                              filename="psycinfo.ris")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        search_file.refresh_from_db()
        if search_file.is_finished:
            break
        time.sleep(0.2)
    assert search_file.status == SearchFile.Status.DONE, search_file.error
    records = Record.objects.filter(search_file=search_file)
    assert records.count() == 4
    assert records.filter(duplicate_of__isnull=False).count() == 1
