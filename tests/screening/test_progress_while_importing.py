"""On PostgreSQL the progress of a running import is visible to other connections (the page that
polls) while the import's own transaction is still open."""
from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections

from screening.models import SearchFile

from .helpers import make_search, record, ris

pytestmark = pytest.mark.django_db(transaction=True)


def test_progress_is_visible_from_another_connection_during_the_import(review, people):
    if connection.vendor != "postgresql":
        pytest.skip("progress through a second connection is a PostgreSQL feature (SQLite has one writer)")
    from screening import services

    search = make_search(review, people["lead"])
    search_file = services.search_file_create(actor=people["lead"], search=search, enqueue=False,
                                              upload=ris(*(record(n) for n in range(12000))), filename="big.ris")
    seen: list[tuple] = []

    def watch():
        other = connections.create_connection("default")
        try:
            while True:
                with other.cursor() as cursor:
                    cursor.execute("SELECT status, records_read FROM screening_searchfile WHERE id = %s",
                                   [search_file.pk])
                    row = cursor.fetchone()
                seen.append(row)
                if row[0] in ("done", "failed"):
                    return
                time.sleep(0.05)
        finally:
            other.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    services.search_file_import(search_file_id=search_file.pk)
    watcher.join(timeout=60)
    assert seen[-1] == ("done", 12000)
    # Counts between none and all were seen before the import committed.
    assert any(status == "running" and 0 < read < 12000 for status, read in seen)
    assert SearchFile.objects.get(pk=search_file.pk).records_imported == 12000
