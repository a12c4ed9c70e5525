"""The normalised forms that duplicate detection compares: names, pages, journals."""
from __future__ import annotations

import pytest

from screening.dedup.match import journal_relation, page_agreement
from screening.dedup.normalise import page_range, prepare, strip_annotations, surname, words_of
from screening.importers.citation import Citation


@pytest.mark.parametrize("written, expected", [
    ("Zuna, R E", "zuna"),
    ("Zuna RE", "zuna"),
    ("Rosa E. Zuna", "zuna"),
    ("von Pawel, J.", "pawel"),
    ("Pawel, J.", "pawel"),
    ("Müller-Lüdenscheidt, Ö.", "mullerludenscheidt"),
    ("ASCUS-LSIL Triage Study Group", ""),
    ("Group, ALTS", ""),
])
def test_surnames_agree_across_export_styles(written, expected):
    assert surname(written) == expected


@pytest.mark.parametrize("pages, expected", [
    ("1351-9", ("", "1351", "1359")),
    ("213--238", ("", "213", "238")),
    ("S417-S429", ("s", "417", "429")),
    ("e24083", ("e", "24083", "")),
    ("742-8; discussion 748-9", ("", "742", "748")),
    ("Suppl-29", ("", "", "")),
    ("08-Aug", ("", "", "")),
])
def test_page_ranges_are_read_or_left_unknown(pages, expected):
    assert page_range(pages) == expected


def _pages(a: str, b: str) -> str:
    return page_agreement(prepare(Citation(pages=a)), prepare(Citation(pages=b)))


def test_only_plain_page_ranges_that_do_not_fit_count_against_a_pair():
    assert _pages("1351-1359", "1351-9") == "same"
    assert _pages("e12724", "1-6") == "unknown"  # article number vs pages
    assert _pages("569", "567-569") == "unknown"  # only the last page given
    assert _pages("2297-2108", "2097-2108") == "unknown"  # a typo in the first page
    assert _pages("Suppl-29", "S417-S429") == "unknown"
    assert _pages("943-945", "310-317") == "different"


@pytest.mark.parametrize("a, b", [
    ("J Am Soc Nephrol", "Journal of the American Society of Nephrology"),
    ("Dtsch-Med-Wochenschr", "Deutsche Medizinische Wochenschrift"),
    ("Amcis 2017 Proceedings", "Americas Conference on Information Systems"),
    ("PLoS ONE [Electronic Resource]", "PLoS One"),
    ("Journal of clinical oncology : official journal of the American Society of Clinical Oncology",
     "J Clin Oncol"),
    ("International journal of cancer.Journal international du cancer", "International Journal of Cancer"),
])
def test_journal_abbreviations_and_alternative_names_match(a, b):
    relation = journal_relation(prepare(Citation(journal=a)), prepare(Citation(journal=b)))
    assert relation is not None and relation[0] == "same"


@pytest.mark.parametrize("a, b", [
    ("Nephrology", "Current Opinion in Nephrology and Hypertension"),
    ("Annals of Internal Medicine", "ACP Journal Club"),
    ("Cancer", "International Journal of Cancer"),
])
def test_different_journals_are_not_taken_for_abbreviations(a, b):
    relation = journal_relation(prepare(Citation(journal=a)), prepare(Citation(journal=b)))
    assert relation is not None and relation[0] != "same"


def title_words(title):
    return words_of(strip_annotations(title))


def test_title_words_drop_markup_accents_and_indexing_notes():
    assert title_words("<i>Évaluation</i> du drainage: l'adulte. [Review] [42 refs] [French]") == \
        "evaluation du drainage l adulte"
    assert title_words("Eculizumab for aHUS.[Erratum appears in N Engl J Med. 2009;360(23):2487]") == \
        "eculizumab for ahus"
