"""The demo's ten synthetic searches, and the import_search command."""
from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from reviewapp.models import AuditEvent
from screening.demo import SYNTHETIC_NOTE
from screening.models import DEFAULT_EXCLUSION_REASONS, Decision, Record, ScreeningItem, Search, SearchFile, Study
from screening.selectors import record_sources
from tests.extraction.test_demo_shape import loaded_demo_states_the_seeds_figures
from tests.support import shared_data

from .helpers import make_search

pytestmark = pytest.mark.django_db


def _model_counts() -> tuple:
    from django.apps import apps

    models = [m for m in apps.get_models() if m._meta.app_label in ("reviewapp", "screening", "auth")]
    return tuple((m._meta.label, m.objects.count()) for m in models)


@pytest.fixture
def demo_searches(loaded_demo_searches):
    """The demo review with its ten searches imported, not yet screened (load_demo with that stage
    loader only, built once per run: tests/snapshots.py)."""
    return loaded_demo_searches


def test_the_demo_searches_have_the_scale_and_overlap_of_a_real_review(demo_searches):
    demo = demo_searches
    searches = Search.objects.filter(review=demo)
    assert sorted(s.database for s in searches) == sorted([
        "CINAHL", "EMBASE", "PsycINFO", "Scopus", "Web of Science", "MEDLINE", "PubMed",
        "Science Citation Index", "Sociological Abstracts", "Cochrane Library"])
    formats = dict(SearchFile.objects.filter(search__review=demo).values_list("search__database", "format"))
    assert formats["Scopus"] == "ris" and formats["PubMed"] == "medline" and formats["Web of Science"] == "wos"
    assert all(f.status == SearchFile.Status.DONE for f in SearchFile.objects.filter(search__review=demo))
    assert all(s.query and s.platform and s.reported_hits and s.date_run.year == 2021 for s in searches)
    per_database = {s.database: s.records.count() for s in searches}
    assert per_database["PsycINFO"] > per_database["MEDLINE"] > per_database["Sociological Abstracts"] > 50

    records = Record.objects.filter(review=demo)
    assert 4500 <= records.count() <= 5500
    assert not records.exclude(abstract__startswith=SYNTHETIC_NOTE).exists()
    unique = records.filter(duplicate_of__isnull=True)
    assert 0.28 <= 1 - unique.count() / records.count() <= 0.38  # about a third are duplicates
    widest = max(unique.filter(duplicates__isnull=False).distinct()[:500], key=lambda r: r.duplicates.count())
    assert len(record_sources(record=widest)) >= 5
    # Off-topic records (what priority screening learns to put last) outnumber relevant-looking ones.
    assert unique.filter(title__icontains="placebo").count() > 100
    assert unique.filter(title__icontains="rat pups").exists()

    from screening.demo import demo_searches_load

    before = (Search.objects.count(), SearchFile.objects.count(), Record.objects.count())
    demo_searches_load(review=demo, lead=demo.created_by)
    assert (Search.objects.count(), SearchFile.objects.count(), Record.objects.count()) == before


def test_the_demo_is_screened_to_77_studies_and_loading_it_twice_changes_nothing(loaded_demo):
    """The demo as load_demo built it (once per run, copied in: tests/snapshots.py), then loaded again."""
    demo = loaded_demo
    items = ScreeningItem.objects.filter(review=demo)
    ta, ft = items.filter(stage="ta"), items.filter(stage="ft")
    unique = Record.objects.filter(review=demo, duplicate_of__isnull=True)
    assert ta.exclude(status="withdrawn").count() == unique.count()

    # Both reviewers screened every title and abstract, and every full text.
    for stage in (ta, ft):
        for name in ("reviewer1", "reviewer2"):
            assert Decision.objects.filter(item__in=stage, reviewer__username=name).count() == stage.count()
    # A handful of conflicts wait for the lead; every other one was resolved by the lead.
    assert ta.filter(status="conflict").count() == 15
    assert not ft.filter(status__in=["conflict", "pending"]).exists()
    assert ta.filter(resolved_by__username="lead").count() > 50
    assert ft.count() == ta.filter(status="included").count()
    assert 250 <= ft.count() <= 450

    reasons = Counter(ft.filter(status="excluded").values_list("reason", flat=True))
    assert set(reasons) <= set(DEFAULT_EXCLUSION_REASONS)
    assert reasons.most_common(1)[0][1] < sum(reasons.values()) / 2 and len(reasons) >= 5
    assert ft.filter(status="not_retrieved").count() >= 10

    studies = Study.objects.filter(review=demo)
    assert studies.count() == 77
    reports = Counter(Record.objects.filter(study__in=studies).values_list("study", flat=True))
    assert sorted(reports.values())[-4:] == [2, 2, 2, 2] and sorted(reports.values())[-5] == 1
    assert ft.filter(status="included").count() == sum(reports.values())
    # Every decision went through the service: one audit entry each.
    assert AuditEvent.objects.filter(review=demo, object_type="screening.Decision", action="create").count() \
        == Decision.objects.filter(review=demo).count()

    _the_flow_diagram_matches_the_demo_as_generated(demo)
    loaded_demo_states_the_seeds_figures(demo)  # extraction's and analysis' figures, on this same load

    first = _model_counts()
    call_command("load_demo", verbosity=0)
    assert _model_counts() == first


def _the_flow_diagram_matches_the_demo_as_generated(demo) -> None:
    """PRISMA counts against figures worked out from the generator, not from the log."""
    from screening import demo as generator
    from screening.demo_screening import OPEN_TA_CONFLICTS
    from screening.prisma import prisma_counts

    exported = {spec.database: generator.demo_export(spec)[2] for spec in generator.DEMO_SEARCHES}
    c = prisma_counts(review=demo)
    assert c.identified_by_database == exported
    assert c.identified_databases == sum(exported.values()) and c.identified_registers == 0
    assert c.duplicates_removed == sum(exported.values()) - generator.N_REPORTS
    assert c.records_awaiting == OPEN_TA_CONFLICTS
    assert c.records_screened + c.records_awaiting == generator.N_REPORTS
    assert c.main.not_retrieved == generator.N_NOT_RETRIEVED and c.main.awaiting == 0
    assert c.studies_included == generator.N_INCLUDED_STUDIES
    assert c.reports_included == generator.N_INCLUDED_STUDIES + generator.N_SECOND_REPORTS
    assert c.records_screened == c.records_excluded + c.main.sought
    assert c.main.assessed == c.main.excluded + c.reports_included


def test_import_search_command_creates_the_search_and_imports(review, people, capsys):
    path = shared_data("imports", "citation-file-formatting", "Datasets", "RIS", "_baseline_embase.ris")
    call_command("import_search", review.pk, str(path), "--database", "EMBASE", "--platform", "Ovid",
                 "--date-run", "2021-09-28", "--query", "exp psychotherapy/")
    search = Search.objects.get(review=review, database="EMBASE")
    assert search.records.count() > 0 and search.created_by == people["lead"]
    assert "records imported into search" in capsys.readouterr().out


def test_import_search_command_reports_a_bad_file(review, people, tmp_path):
    search = make_search(review, people["lead"])
    bad = tmp_path / "bad.ris"
    bad.write_text("TY  - JOUR\nTI  - no end\n")
    with pytest.raises(CommandError, match="bad.ris, line 1"):
        call_command("import_search", review.pk, str(bad), "--search", search.pk)
    assert not Record.objects.exists()
