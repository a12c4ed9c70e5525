"""Where a running import's progress is shared (the cache key), read by pages and written by the import."""


def progress_cache_key(search_file_id: int) -> str:
    return f"screening:import-progress:{search_file_id}"
