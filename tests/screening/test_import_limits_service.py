"""The import service applies the upload limits (derived from MAX_UPLOAD_MB) and stores nothing
from a refused file (issue 17)."""
from __future__ import annotations

import pytest

from screening.models import Record, SearchFile
from tests.screening.importers.test_limits import _one_cell_bomb, _ris_with_nul_after

from .helpers import import_bytes, make_search

pytestmark = pytest.mark.django_db


def test_an_xlsx_bomb_fails_with_the_limit_from_max_upload_mb(review, people, settings):
    settings.MAX_UPLOAD_MB = 3
    search_file = import_bytes(make_search(review, people["lead"]), people["lead"], _one_cell_bomb(12), "bomb.xlsx")
    assert search_file.status == SearchFile.Status.FAILED
    assert "unpacks to 12 MB; the limit for one part is 6 MB" in search_file.error
    assert not Record.objects.filter(review=review).exists()


def test_a_nul_byte_fails_the_import_with_its_line_and_stores_nothing(review, people):
    data, line = _ris_with_nul_after(400)
    search_file = import_bytes(make_search(review, people["lead"]), people["lead"], data, "nul.ris")
    assert search_file.status == SearchFile.Status.FAILED
    assert search_file.error_line == line and f"line {line}" in search_file.error and "NUL" in search_file.error
    assert not Record.objects.filter(review=review).exists()
