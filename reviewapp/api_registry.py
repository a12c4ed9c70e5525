"""The registry through which each app puts its API routes under /api/v1/reviews/<review_id>/.

An app names the module of its routes (dotted path) in its AppConfig.ready(); reviewapp's API
urls include each, so reviewapp never imports a stage app and extraction or analysis slot in
the same way. Like the dashboard's registry, this module imports nothing of DRF, so a ready()
may import it early.
"""
from __future__ import annotations

_api_url_modules: list[str] = []


def register_api_urls(module: str) -> None:
    if module not in _api_url_modules:
        _api_url_modules.append(module)


def registered_api_url_modules() -> list[str]:
    return list(_api_url_modules)
