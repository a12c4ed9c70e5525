"""Shared setup for the screening tests: a search, and a file imported into it through the service."""
from __future__ import annotations

import datetime

from screening import services
from screening.models import Search, SearchFile


def make_search(review, lead, database: str = "Scopus", **extra) -> Search:
    fields = {"platform": "", "date_run": datetime.date(2021, 9, 30), "query": "parent* AND infant*",
              "reported_hits": None, **extra}
    return services.search_create(actor=lead, review=review, database=database, **fields)


def import_bytes(search: Search, lead, data: bytes, filename: str, fmt: str = "") -> SearchFile:
    """Upload and import at once, as the command line does."""
    search_file = services.search_file_create(actor=lead, search=search, upload=data, filename=filename,
                                              requested_format=fmt, enqueue=False)
    return services.search_file_import(search_file_id=search_file.pk)


RIS_TEMPLATE = """TY  - JOUR
TI  - {title}
AU  - {author}
PY  - {year}
JO  - Infant Mental Health Journal
VL  - {volume}
SP  - {page}
DO  - {doi}
ER  - 
"""


def ris(*records: dict) -> bytes:
    return "\n".join(RIS_TEMPLATE.format(**r) for r in records).encode()


def record(n: int, **changes) -> dict:
    values = {"title": f"Parent-infant psychotherapy trial number {n} with mothers and their babies",
              "author": f"Author{n}, A.", "year": 2000 + n % 20, "volume": str(n), "page": str(100 + n),
              "doi": f"10.1000/pip.{n}"}
    values.update(changes)
    return values
