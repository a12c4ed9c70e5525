"""The reasons a reviewer reads beside a pair, and which conflicts a sure-rule may overrule.

Conflicts are decided on ``match.Conflict`` and only worded at the end, so
these tests pin the wording users see and the waivers that depend on it.
"""
from __future__ import annotations

from dataclasses import replace

from screening.dedup import find_duplicate_pairs
from screening.dedup.match import SURE_RULES, Conflict, compare
from screening.dedup.normalise import prepare
from tests.screening.test_dedup import ARTICLE

BARE = replace(ARTICLE, doi=None, pmid=None)


def only_pair(a, b):
    pairs = find_duplicate_pairs([a, b])
    assert len(pairs) == 1
    return pairs[0]


def test_mangled_authors_do_not_stop_a_merge_located_by_volume_page_and_year_but_are_still_shown():
    mangled = replace(BARE, authors=["Najib, Rahman", "Nick, Maskell"])
    pair = only_pair(BARE, mangled)
    assert pair.sure
    assert pair.reasons[-1] == "different authors"
    assert pair.reasons[:4] == ("same title", "same year", "same volume", "same first page")


def test_years_apart_in_another_volume_are_named_with_the_gap_and_wait_for_a_person():
    later = replace(BARE, year=2014, volume="370", pages="518-526")
    pair = only_pair(BARE, later)
    assert not pair.sure
    assert "years 3 apart" in pair.reasons and "different volume" in pair.reasons
    assert pair.reasons.index("years 3 apart") < pair.reasons.index("different volume")


def test_an_erratum_at_the_same_place_names_its_kind_after_the_bibliographic_conflicts():
    erratum = replace(BARE, title="Erratum: " + BARE.title, issue="7")
    result = compare(prepare(BARE), prepare(erratum))
    assert result is not None
    assert "one is erratum, the other not" in result.reasons
    assert "different issue" not in result.reasons  # same volume and first page: the issue does not count


def test_every_conflict_has_its_wording_and_the_sure_rules_are_named():
    assert Conflict.YEARS.render("4") == "years 4 apart"
    assert Conflict.DOI.render("") == "different DOI"
    assert len({rule.__name__ for rule in SURE_RULES}) == len(SURE_RULES)
