"""The layering contracts (.importlinter, checked by `make lint`) cover every package of the project.

A package missing from root_packages is invisible to import-linter, so a new stage app
(extraction, ...) would escape the rules of DESIGN.md without this check.
"""
from __future__ import annotations

import ast
import configparser

import grimp

from tests.support import REPO_ROOT

NOT_PRODUCT = {"tests", "benchmarks"}


def _config() -> configparser.ConfigParser:
    config = configparser.ConfigParser()
    config.read(REPO_ROOT / ".importlinter", encoding="utf-8")
    return config


def test_every_project_package_is_a_root_package_of_the_contracts():
    packages = {p.parent.name for p in REPO_ROOT.glob("*/__init__.py")} - NOT_PRODUCT
    roots = set(_config()["importlinter"]["root_packages"].split())
    assert packages - roots == set(), "add the new package to root_packages in .importlinter"


def test_the_pure_packages_may_not_import_django():
    contract = _config()["importlinter:contract:pure-cores"]
    sources = set(contract["source_modules"].split())
    assert {"analysis.stats", "screening.importers", "screening.dedup"} <= sources
    assert {"django", "rest_framework", "celery"} <= set(contract["forbidden_modules"].split())


def test_reviewapp_may_import_no_other_package_of_the_project():
    roots = set(_config()["importlinter"]["root_packages"].split())
    forbidden = set(_config()["importlinter:contract:reviewapp-knows-no-stage"]["forbidden_modules"].split())
    libraries = {"svgkit"}  # used by every app, importing none of them (it is a pure core)
    assert roots - {"reviewapp"} - libraries == forbidden, "list every stage app in reviewapp-knows-no-stage"


def _defines_nothing(module: str) -> bool:
    """A package whose __init__ holds only a docstring: nothing in it to keep pure."""
    path = REPO_ROOT.joinpath(*module.split("."), "__init__.py")
    if not path.exists():
        return False
    body = ast.parse(path.read_text(encoding="utf-8")).body
    return all(isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) for node in body)


def _django_free_modules() -> set[str]:
    """Modules of the apps that import none of the forbidden packages, directly or through others."""
    contract = _config()["importlinter:contract:pure-cores"]
    forbidden = set(contract["forbidden_modules"].split())
    roots = _config()["importlinter"]["root_packages"].split()
    graph = grimp.build_graph(*roots, include_external_packages=True, cache_dir=None)
    free = set()
    for module in graph.modules:
        if module.split(".")[0] not in roots or ".migrations" in module:
            continue
        imported = graph.find_upstream_modules(module)
        if not any(name.split(".")[0] in forbidden for name in imported):
            free.add(module)
    return free


def test_every_django_free_module_is_in_the_pure_contract():
    # The contract only guards what it names: a plain-Python module left out could start
    # importing Django unnoticed, so every one found today must be listed.
    sources = set(_config()["importlinter:contract:pure-cores"]["source_modules"].split())

    def covered(module: str) -> bool:
        return any(module == s or module.startswith(s + ".") for s in sources)

    missing = sorted(m for m in _django_free_modules() if not covered(m) and not _defines_nothing(m))
    assert missing == [], f"add these Django-free modules to pure-cores in .importlinter: {missing}"
