"""Duplicate detection on small hand-written records: the cases that matter in a review.

A wrong automatic merge silently removes a report from the review, so the
look-alikes (series parts, errata, replies, protocols, conference abstracts)
must never be SURE; they must still reach the reviewers' queue as POSSIBLE.
"""
from __future__ import annotations

from dataclasses import replace

from screening.dedup import (
    DuplicateIndex,
    explain_pair,
    find_duplicate_pairs,
    find_duplicates,
    find_duplicates_between,
)
from screening.importers.citation import Citation

ARTICLE = Citation(
    title="Effect of intrapleural fibrinolytic therapy on mortality in adults with pleural infection: "
          "a randomised controlled trial",
    authors=["Rahman, Najib M.", "Maskell, Nick A.", "West, Alex", "Teoh, Richard"],
    year=2011,
    journal="New England Journal of Medicine",
    volume="365",
    issue="6",
    pages="518-526",
    doi="10.1056/nejmoa1012740",
    pmid="21830966",
)


def pair_between(a: Citation, b: Citation):
    pairs = find_duplicate_pairs([a, b])
    assert len(pairs) <= 1
    return pairs[0] if pairs else None


def test_it_merges_the_same_article_as_two_databases_export_it():
    other = Citation(
        title="EFFECT OF INTRAPLEURAL FIBRINOLYTIC THERAPY ON MORTALITY IN ADULTS WITH PLEURAL "
              "INFECTION - A RANDOMIZED CONTROLLED TRIAL.",
        authors=["Rahman NM", "Maskell NA"],  # MEDLINE style, truncated list
        year=2011,
        journal="N Engl J Med",
        volume="365",
        pages="518-26",
    )
    assert find_duplicates([ARTICLE, other]) == [[0, 1]]


def test_it_ignores_markup_accents_and_indexing_notes_in_titles():
    a = replace(ARTICLE, title="Évaluation du <i>drainage</i> pleural chez l'adulte", doi=None, pmid=None)
    b = replace(ARTICLE, title="Evaluation du drainage pleural chez l'adulte. [French] [Review] [42 refs]",
                doi=None, pmid=None)
    assert find_duplicates([a, b]) == [[0, 1]]


def test_an_erratum_note_on_the_article_does_not_make_it_an_erratum():
    noted = replace(ARTICLE, doi=None, pmid=None,
                    title=ARTICLE.title + ".[Erratum appears in N Engl J Med. 2012 Jan 5;366(1):96]")
    assert find_duplicates([ARTICLE, noted]) == [[0, 1]]


def test_it_merges_an_epub_year_one_off_when_journal_and_volume_agree():
    print_version = replace(ARTICLE, year=2012, doi=None, pmid=None)
    assert find_duplicates([ARTICLE, print_version]) == [[0, 1]]


def test_same_doi_with_another_title_is_only_possible():
    # A supplement or erratum registered under the article's DOI.
    supplement = replace(ARTICLE, title="Supplementary appendix: statistical analysis plan",
                         pages="S1-S40", pmid=None)
    pair = pair_between(ARTICLE, supplement)
    assert pair is not None and not pair.sure
    assert "same DOI" in pair.reasons
    assert find_duplicates([ARTICLE, supplement]) == []


def test_parts_of_a_series_are_never_merged():
    part1 = Citation(title="Linomide in relapsing and secondary progressive MS: Part I: trial design and "
                           "clinical results", authors=["Noseworthy, J. H."], year=2000,
                     journal="Neurology", volume="54", pages="1726-1733")
    part2 = replace(part1, title="Linomide in relapsing and secondary progressive MS: Part II: MRI results",
                    pages="1734-1741")
    same_pages_part2 = replace(part1, title=part1.title.replace("Part I:", "Part II:"))
    assert find_duplicates([part1, part2, same_pages_part2]) == []
    pair = pair_between(part1, same_pages_part2)
    assert pair is not None and not pair.sure
    assert any("part" in r for r in pair.reasons)


def test_a_phase_ii_and_a_phase_iii_trial_are_different_reports():
    phase2 = Citation(title="Eculizumab in atypical haemolytic uraemic syndrome: a phase II trial",
                      authors=["Legendre, C. M."], year=2013, journal="Blood")
    phase3 = replace(phase2, title="Eculizumab in atypical haemolytic uraemic syndrome: a phase III trial")
    assert find_duplicates([phase2, phase3]) == []


def test_a_conference_abstract_and_the_later_article_are_only_possible():
    abstract = replace(ARTICLE, year=2010, journal="American Journal of Respiratory and Critical Care Medicine",
                       volume="181", pages="A1234", doi=None, pmid=None)
    pair = pair_between(ARTICLE, abstract)
    assert pair is not None and not pair.sure


def test_same_title_same_year_in_another_journal_is_only_possible():
    # Supplements of abstracts often come without volume or pages.
    abstract = replace(ARTICLE, journal="Thorax", volume=None, issue=None, pages=None, doi=None, pmid=None)
    assert find_duplicates([ARTICLE, abstract]) == []
    assert pair_between(ARTICLE, abstract) is not None


def test_a_protocol_and_its_results_are_not_merged():
    protocol = Citation(title="Early mobilisation after cardiac surgery (MOVE): study protocol for a "
                              "randomised controlled trial", authors=["Smith, J."], year=2019,
                        journal="Trials", volume="20", pages="101")
    results = replace(protocol, title="Early mobilisation after cardiac surgery (MOVE): a randomised "
                                      "controlled trial", year=2019, journal="Trials", volume="20", pages=None)
    assert find_duplicates([protocol, results]) == []
    pair = pair_between(protocol, results)
    assert pair is not None and any("protocol" in r for r in pair.reasons)


def test_replies_and_errata_are_not_merged_with_the_article():
    reply = replace(ARTICLE, title="Re: " + ARTICLE.title, authors=["Davies, H. E."],
                    pages="1064", issue="11", doi=None, pmid=None)
    erratum = replace(ARTICLE, title="Erratum: " + ARTICLE.title, pages="96", issue="1", doi=None, pmid=None)
    assert find_duplicates([ARTICLE, reply, erratum]) == []


def test_different_follow_up_lengths_are_different_reports():
    five = Citation(title="HPV testing after treatment for CIN: 5-year follow-up of a cohort",
                    authors=["Kocken, M."], year=2012, journal="Gynecologic Oncology")
    ten = replace(five, title="HPV testing after treatment for CIN: 10-year follow-up of a cohort")
    assert find_duplicates([five, ten]) == []


def test_the_same_title_years_apart_is_not_merged():
    update = replace(ARTICLE, year=2016, volume="375", pages="1001-1010", doi=None, pmid=None)
    assert find_duplicates([ARTICLE, update]) == []


def test_groups_are_sorted_and_join_all_copies():
    copies = [replace(ARTICLE, doi=None if k % 2 else ARTICLE.doi) for k in range(3)]
    other = Citation(title="Something else entirely about asthma in children", year=2001)
    records = [copies[0], other, copies[1], copies[2]]
    assert find_duplicates(records) == [[0, 2, 3]]


def test_records_without_titles_or_fields_do_not_break_it():
    records = [Citation(), Citation(title=""), Citation(authors=["A, B"]), Citation(doi="10.1/x"),
               Citation(doi="10.1/x")]
    assert find_duplicates(records) == [[3, 4]]
    assert find_duplicates([]) == []


def test_large_blocks_of_generic_titles_still_find_their_duplicates():
    editorials = [Citation(title="Editorial", authors=[f"Author{k}, A."], year=1990 + k % 30,
                           journal="Journal of Things", volume=str(k), pages=str(k))
                  for k in range(300)]
    twin = replace(editorials[150])
    groups = find_duplicates(editorials + [twin])
    assert groups == [[150, 300]]


def test_new_records_are_matched_against_the_existing_review():
    existing = [
        Citation(title="Statins for the primary prevention of cardiovascular disease",
                 authors=["Taylor, F."], year=2013, journal="Cochrane Database Syst Rev", volume="1",
                 pages="CD004816"),
        ARTICLE,
    ]
    new = [
        Citation(title="Unrelated record on dental caries", year=2020),
        replace(ARTICLE, doi=None, title=ARTICLE.title.upper()),
    ]
    pairs = find_duplicates_between(new, existing)
    assert [(p.i, p.j, p.sure) for p in pairs] == [(1, 1, True)]
    index = DuplicateIndex(existing)
    assert [(p.i, p.j) for p in find_duplicates_between(new, index)] == [(1, 1)]


def test_importing_in_two_batches_finds_the_same_pairs_as_one_batch():
    records = [
        ARTICLE,
        Citation(title="Pleural infection in adults: a cohort study", authors=["Corcoran, J."], year=2015,
                 journal="Chest", volume="148", pages="12-20"),
        replace(ARTICLE, journal="N Engl J Med", doi=None),
        Citation(title="Pleural infection in adults - a cohort study.", authors=["Corcoran J"], year=2015,
                 journal="Chest", volume="148", pages="12"),
    ]
    whole = {(p.i, p.j, p.sure) for p in find_duplicate_pairs(records)}
    index = DuplicateIndex(records[:2])
    batched = {(p.i, p.j, p.sure) for p in index.match_and_add(records[2:])}
    batched |= {(p.i, p.j, p.sure) for p in find_duplicate_pairs(records[:2])}
    assert whole == batched == {(0, 2, True), (1, 3, True)}


def test_explain_pair_compares_field_by_field():
    other = replace(ARTICLE, journal="N Engl J Med", pages="518-26", doi=None, year=2012)
    explanation = explain_pair(ARTICLE, other)
    fields = {f.field: f for f in explanation.fields}
    assert explanation.possible
    assert fields["title"].verdict == "same"
    assert fields["journal"].verdict == "same"  # the abbreviation is recognised
    assert fields["pages"].verdict == "same"
    assert fields["year"].verdict == "similar"
    assert fields["doi"].verdict == "missing"
    assert fields["journal"].a == "New England Journal of Medicine" and fields["journal"].b == "N Engl J Med"


def test_explain_pair_marks_years_far_apart_as_different():
    later = replace(ARTICLE, year=2015)
    assert {f.field: f.verdict for f in explain_pair(ARTICLE, later).fields}["year"] == "different"


def test_explain_pair_says_why_look_alikes_are_not_sure():
    erratum = replace(ARTICLE, title="Erratum: " + ARTICLE.title, pages="96", issue="1", doi=None, pmid=None)
    explanation = explain_pair(ARTICLE, erratum)
    assert not explanation.sure
    assert any("erratum" in r for r in explanation.reasons)
    assert any("pages" in r for r in explanation.reasons)
