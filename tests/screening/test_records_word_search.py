"""The records list's text search (#30): a word is found at the start of a word of the title, an
author's name or the abstract (PostgreSQL's one word index; SQLite still finds it anywhere), or as
the whole DOI or PMID; every word must be found. Whatever is typed, the page and the API answer."""
from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from screening import selectors
from screening.word_search import prefix_tsquery

from .helpers import import_bytes, make_search

POSTGRES = connection.vendor == "postgresql"
only_postgres = pytest.mark.skipif(not POSTGRES, reason="the word index is PostgreSQL's")

RECORDS = [
    ("Parent-infant psychotherapy at home", "A randomised controlled trial of home visits.", "Okafor, N.",
     "10.1000/home.1", "31000001"),
    ("A cohort of toddlers", "Observational data on COVID-19 and doses of 3.5 mg; Müller's naïve reviewers.",
     "Smith, J.", "10.1000/cohort.2", "31000002"),
    ("Randomisation methods compared", "Nothing about the subject here.", "Lee, K.", "10.1000/methods.3",
     "31000003"),
    ("Clinic visits", "Patients' views of the clinic, in their words.", "Ng, W.", "10.1000/clinic.4", "31000004"),
]


def _ris() -> bytes:
    rows = [f"TY  - JOUR\nTI  - {t}\nAB  - {a}\nAU  - {au}\nPY  - 2020\nDO  - {doi}\nPM  - {pmid}\nER  - \n"
            for t, a, au, doi, pmid in RECORDS]
    return "\n".join(rows).encode()


@pytest.fixture
def imported(review, people):
    import_bytes(make_search(review, people["lead"]), people["lead"], _ris(), "words.ris")


def _titles(review, q: str) -> list[str]:
    return [r.title for r in selectors.records_filtered(review, q=q)]


def _numbers(review, q: str) -> list[int]:
    return [RECORDS.index(next(row for row in RECORDS if row[0] == title)) + 1 for title in _titles(review, q)]


def test_a_word_finds_the_start_of_a_word_of_the_title_or_the_abstract(review, imported):
    # "random": "randomised" in the first abstract, "Randomisation" in the third title
    assert _numbers(review, "random") == [1, 3]
    assert _numbers(review, "RANDOMISED") == [1]
    assert _numbers(review, "psycho") == [1]  # "Parent-infant psychotherapy", a title
    assert _numbers(review, "infant") == [1]  # a part of a hyphenated word of a title
    assert _numbers(review, "toddler") == [2]
    assert _numbers(review, "observ") == [2]
    assert _numbers(review, "patient") == [4]


def test_an_authors_name_is_found_by_its_start(review, imported):
    assert _numbers(review, "okaf") == [1]
    assert _numbers(review, "smith") == [2]
    assert _numbers(review, "Smith, J.") == [2]


def test_every_word_must_be_found_each_in_any_field(review, imported):
    assert _numbers(review, "randomised okafor") == [1]  # the abstract and the authors
    assert _numbers(review, "random home") == [1]
    assert _numbers(review, "randomised toddlers") == []  # in two different records


def test_a_doi_or_pmid_finds_its_record(review, imported):
    assert _numbers(review, "10.1000/cohort.2") == [2]
    assert _numbers(review, "https://doi.org/10.1000/COHORT.2") == [2]
    assert _numbers(review, "31000003") == [3]


def test_words_with_hyphens_decimals_and_accents_are_found_in_the_abstract(review, imported):
    assert _numbers(review, "covid-19") == [2]
    assert _numbers(review, "3.5") == [2]
    assert _numbers(review, "naïve") == [2]
    assert _numbers(review, "müller") == [2]


@only_postgres
def test_the_middle_of_a_word_is_not_a_match_on_postgresql(review, imported):
    # The price of the one word index (a far faster import, BENCHMARKS.md): "domised" is inside the
    # abstract's "randomised", "therap" inside the title's "psychotherapy", "kafo" inside the author
    # "Okafor". SQLite has no index and still finds them.
    assert _numbers(review, "domised") == []
    assert _numbers(review, "therap") == []
    assert _numbers(review, "kafo") == []
    assert _numbers(review, "NAÏVE") == [2]  # the database lower-cases beyond ASCII


HOSTILE = ["&|!:*()'\\", "'", "\\", "random:*", "random & home", "!random", "(random", "random'", "'random'",
           "random<->home", "random:A", "!!!", "\x00", "x" * 100_000, "ранд", "無作為", "🙂", "random\\", "'';--",
           "%", "_", "random%"]


@pytest.mark.parametrize("typed", HOSTILE)
def test_whatever_is_typed_the_page_and_the_api_answer_and_syntax_is_never_obeyed(
        client_for, review, people, imported, typed):
    client = client_for(people["lead"])
    page = client.get(reverse("record_list", args=[review.pk]), {"q": typed})
    api = client.get(reverse("api_records", args=[review.pk]), {"q": typed})
    if "\x00" in typed:  # a form refuses a NUL; nothing to search
        assert page.status_code in (200, 400) and api.status_code in (200, 400)
        return
    assert page.status_code == 200 and api.status_code == 200
    found = {r["title"] for r in api.json()["results"]}
    assert found == {r.title for r in page.context["page"].object_list}
    if typed in ("random:*", "!random", "(random", "random'", "'random'", "random\\"):
        # The punctuation is a separator, never an operator: "!random" does not mean "not random";
        # "random" starts a word of the first abstract and of the third title (SQLite looks for
        # the punctuation too, which no title holds).
        assert found == {RECORDS[0][0], RECORDS[2][0]} or not POSTGRES
    if typed in ("&|!:*()'\\", "!!!", "%", "_", "🙂", "'';--"):
        assert found == set()  # nothing left to look for in the abstract, and no title holds it


def test_a_word_of_punctuation_alone_matches_nothing_rather_than_everything(review, imported):
    assert _numbers(review, "!!!") == []
    assert _numbers(review, "random !!!") == []


@pytest.mark.parametrize("lexemes, query", [
    (["random"], "'random':*"),
    (["covid", "-19"], "'covid':* & '-19':*"),
    (["o'brien"], "'o''brien':*"),
    (["a\\b"], "'a\\\\b':*"),
    (["", "x"], "'x':*"),
    ([], None),
    ([""], None),
])
def test_lexemes_become_quoted_prefixes(lexemes, query):
    assert prefix_tsquery(lexemes) == query


def test_a_long_word_and_many_lexemes_are_bounded():
    query = prefix_tsquery(["y" * 5000] + [f"w{n}" for n in range(20)])
    assert query is not None and query.count(":*") == 8 and "y" * 101 not in query


@only_postgres
def test_the_texts_are_searched_through_their_one_word_index(review, imported):
    """The selector's expression is the index's: with scans that read every row turned off, the plan
    reads migration 0023's index (a mismatch would leave nothing but reading every record)."""
    from screening.models import Record
    from screening.selectors.records import _text_matches

    found = _text_matches(["randomised"], "default")["randomised"]
    sql, params = Record.objects.filter(found).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on record_words" in plan, plan
    assert Record.objects.filter(found).count() == 1


@only_postgres
def test_the_title_and_authors_trigram_indexes_are_gone(db):
    """Migration 0023 leaves one word index on the record table's texts: each index more is kept
    row by row during an import's COPY (BENCHMARKS.md)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'screening_record'")
        names = {row[0] for row in cursor.fetchall()}
    assert "record_words" in names
    assert not names & {"record_title_upper_trgm", "record_authors_upper_trgm", "record_abstract_upper_trgm",
                        "record_abstract_words"}


@only_postgres
def test_the_capped_count_reads_each_records_words_once_and_the_list_twice(review, imported):
    """The list's walk in id order asks the match twice (so the planner's guess for a rare word is
    small enough to read the index, `_HasWords`); the capped count has no order to walk and asks
    once, reading each record's stored words once: a common word's count a quarter faster. Both
    find the same records."""
    from django.test.utils import CaptureQueriesContext

    from reviewapp import paging

    records = selectors.records_list(review=review, q="random")
    with CaptureQueriesContext(connection) as listed:
        shown = list(records[:50])
    with CaptureQueriesContext(connection) as counted:
        count = paging.capped_count(records)
    assert count == len(shown) == 2
    assert listed.captured_queries[0]["sql"].count('"words" @@') == 2
    assert counted.captured_queries[0]["sql"].count('"words" @@') == 1
