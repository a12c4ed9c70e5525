"""The review archive in the team deployment: the page's request only records the wish; the
separate Celery worker (started by .ci/run on the test database and media folder) writes the ZIP."""
from __future__ import annotations

import json
import time
import zipfile

import pytest

from reviewapp.archive.services import archive_export_request
from reviewapp.models import ArchiveExport
from tests.screening.helpers import import_bytes, make_search, record, ris

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_writes_the_archive_a_lead_asked_for(live_worker, review, people):
    search = make_search(review, people["lead"])
    import_bytes(search, people["lead"], ris(record(1), record(2)), "scopus.ris")
    export = archive_export_request(actor=people["lead"], review=review)
    deadline = time.monotonic() + 60
    while not export.is_finished and time.monotonic() < deadline:
        time.sleep(0.2)
        export.refresh_from_db()
    assert export.status == ArchiveExport.Status.DONE, export.error
    with export.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        assert json.loads(archive.read("manifest.json"))["counts"]["screening.Record"] == 2
