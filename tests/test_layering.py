"""The layering contracts (.importlinter, checked by `make lint`) cover every package of the project.

A package missing from root_packages is invisible to import-linter, so a new stage app
(extraction, ...) would escape the rules of DESIGN.md without this check.
"""
from __future__ import annotations

import configparser

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
    assert roots - {"reviewapp"} == forbidden, "list every stage app in reviewapp-knows-no-stage"
