"""Each app extends the review manager one way: attributes of its AppConfig (reviewapp/extensions.py)."""
from __future__ import annotations

from django.apps import apps

from reviewapp.archive.registry import model_parts
from reviewapp.extensions import declared, declared_functions

STAGE_APPS = ("screening", "extraction", "analysis")


def test_every_stage_app_declares_its_stages_routes_archive_and_demo_and_every_path_imports():
    for label in STAGE_APPS:
        config = apps.get_app_config(label)
        for attribute in ("review_stages", "api_urls", "archive_parts", "demo_loaders"):
            assert getattr(config, attribute, None), f"{label} declares no {attribute}"
    for attribute in ("review_stages", "archive_parts", "demo_loaders", "resumers", "outcome_references"):
        assert all(callable(f) for f in declared_functions(attribute)), attribute


def test_declarations_are_read_in_installed_apps_order_so_archived_models_follow_the_data_flow():
    assert declared("api_urls") == ["screening.api_urls", "extraction.api_urls", "analysis.api_urls"]
    labels = [m.model._meta.app_label for m in model_parts()]
    firsts = [labels.index(app) for app in ("reviewapp", *STAGE_APPS)]
    assert firsts == sorted(firsts)
    assert labels[-1] == "reviewapp"  # the audit trail (phase 1) names objects of every app: last
