"""The demo's ten synthetic searches, and the import_search command."""
from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from reviewapp.demo import DEMO_TITLE
from reviewapp.models import Review
from screening.demo import SYNTHETIC_NOTE
from screening.models import Record, Search, SearchFile
from screening.selectors import record_sources
from tests.support import shared_data

from .helpers import make_search

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)
    return Review.objects.get(title=DEMO_TITLE)


def test_the_demo_has_ten_searches_in_their_databases_real_formats(demo):
    searches = Search.objects.filter(review=demo)
    assert sorted(s.database for s in searches) == sorted([
        "CINAHL", "EMBASE", "PsycINFO", "Scopus", "Web of Science", "MEDLINE", "PubMed",
        "Science Citation Index", "Sociological Abstracts", "Cochrane Library"])
    formats = dict(SearchFile.objects.filter(search__review=demo).values_list("search__database", "format"))
    assert formats["Scopus"] == "ris" and formats["PubMed"] == "medline" and formats["Web of Science"] == "wos"
    assert all(f.status == SearchFile.Status.DONE for f in SearchFile.objects.filter(search__review=demo))
    assert all(s.query and s.platform and s.reported_hits and s.date_run.year == 2021 for s in searches)


def test_every_demo_record_says_it_is_synthetic_and_duplicates_span_databases(demo):
    records = Record.objects.filter(review=demo)
    assert 200 <= records.count() <= 1000
    assert not records.exclude(abstract__startswith=SYNTHETIC_NOTE).exists()
    unique = records.filter(duplicate_of__isnull=True)
    assert unique.count() < records.count() / 2  # the databases overlap a lot, as real ones do
    widest = max(unique, key=lambda r: r.duplicates.count())
    assert len(record_sources(record=widest)) >= 5


def test_loading_the_demo_searches_twice_adds_nothing(demo):
    from screening.demo import demo_searches_load

    before = (Search.objects.count(), SearchFile.objects.count(), Record.objects.count())
    demo_searches_load(review=demo, lead=demo.created_by)
    assert (Search.objects.count(), SearchFile.objects.count(), Record.objects.count()) == before


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
