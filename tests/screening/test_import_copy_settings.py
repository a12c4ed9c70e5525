"""The import's COPY compresses the long texts with lz4 on PostgreSQL (where the server has it): for
its transaction only, changing nothing that is read back."""
from __future__ import annotations

import pytest
from django.db import connection

from screening.models import Record

from .helpers import import_bytes, make_search

pytestmark = pytest.mark.django_db(transaction=True)

WORDS = ("randomised", "controlled", "trial", "mothers", "infants", "attachment", "psychotherapy", "outcome")


def _abstract(n: int) -> str:
    # Long enough (about 5 KB) that PostgreSQL compresses it.
    return " ".join(f"{WORDS[(n + i) % len(WORDS)]}{i % 7}" for i in range(600)) + f" marker{n}"


def _ris(count: int) -> bytes:
    return "\n".join(f"TY  - JOUR\nTI  - Trial {n}\nAU  - Author{n}, A.\nPY  - 2020\nAB  - {_abstract(n)}\n"
                     f"DO  - 10.1000/copy.{n}\nER  - \n" for n in range(count)).encode()


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s)", [name])
        return cursor.fetchone()[0]


def test_the_long_texts_are_stored_with_lz4_read_back_whole_and_found_by_their_words(review, people):
    if connection.vendor != "postgresql":
        pytest.skip("the COPY and its settings are PostgreSQL's")
    before = {name: _setting(name) for name in ("default_toast_compression",)}
    search_file = import_bytes(make_search(review, people["lead"]), people["lead"], _ris(300), "long.ris")
    assert search_file.status == "done", search_file.error
    # The settings ended with the import's transaction.
    assert {name: _setting(name) for name in before} == before
    records = Record.objects.filter(search_file=search_file).order_by("number")
    assert [r.abstract for r in records] == [_abstract(n) for n in range(300)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        has_lz4 = cursor.fetchone()[0]
        cursor.execute("SELECT DISTINCT pg_column_compression(abstract) FROM screening_record "
                       "WHERE search_file_id = %s", [search_file.pk])
        methods = {row[0] for row in cursor.fetchall()}
        # The records are found by their words at once.
        cursor.execute("SELECT count(*) FROM screening_record WHERE words @@ to_tsquery('simple', 'marker123')")
        found = cursor.fetchone()[0]
    assert methods == ({"lz4"} if has_lz4 else {"pglz"})
    assert found == 1
