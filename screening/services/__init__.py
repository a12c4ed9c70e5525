"""Writes of the screening app: searches and their files, imports, duplicate decisions."""
from .duplicates import duplicate_keep_apart, duplicate_merge, duplicate_unmerge
from .importing import search_file_import
from .searches import (
    search_create,
    search_delete,
    search_file_create,
    search_file_delete,
    search_file_retry,
    search_update,
    upload_limit_bytes,
)

__all__ = [
    "duplicate_keep_apart", "duplicate_merge", "duplicate_unmerge", "search_create", "search_delete",
    "search_file_create", "search_file_delete", "search_file_import", "search_file_retry", "search_update",
    "upload_limit_bytes",
]
