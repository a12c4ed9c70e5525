"""The upload limits of screening's views, which reviewapp.uploads enforces at the door."""
from __future__ import annotations

from reviewapp.uploads import BodyLimit

from .services.fulltext_bulk import bulk_limit_bytes
from .services.fulltexts import fulltext_limit_bytes
from .services.searches import upload_limit_bytes

SEARCH_EXPORT = BodyLimit("A search export", "MAX_UPLOAD_MB", upload_limit_bytes)
FULL_TEXT = BodyLimit("A full text", "MAX_FULLTEXT_MB", fulltext_limit_bytes)
FULL_TEXTS_BULK = BodyLimit("An upload of many full texts", "MAX_FULLTEXT_BULK_MB", bulk_limit_bytes)
