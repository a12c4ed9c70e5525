"""Deciding whether two prepared records are the same report.

A pair is SURE (merged without asking) only when the title agrees and the
bibliographic details leave no room for a second report: in a systematic
review a wrong merge silently loses a study, while a missed duplicate costs a
reviewer one extra click. Everything that looks alike but carries a conflict
(another year, volume, first page or DOI; "Part 2"; an erratum, reply or
protocol) is POSSIBLE and waits for a person.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from .normalise import Prepared

# Thresholds were set on the labelled bib-dedupe sets (see BENCHMARKS.md, "Deduplication").
TITLE_SAME = 0.95  # normalised Indel similarity: a few typos or a dropped word
TITLE_CLOSE = 0.85  # with matching volume and first page, a variant title of one report
TITLE_POSSIBLE = 0.80  # below this a pair is not even worth a reviewer's look
SHORT_TITLE = 25  # characters (compact); shorter titles ("Editorial") need corroboration
AUTHOR_SAME = 0.85


@dataclass(frozen=True, slots=True)
class Comparison:
    """Outcome of comparing two records.

    ``score`` (0 to 1) orders the review queue; ``sure`` says the pair may be
    merged automatically; ``reasons`` are short phrases a reviewer can read.
    """

    score: float
    sure: bool
    reasons: tuple[str, ...]


def title_similarity(a: Prepared, b: Prepared) -> float:
    if not a.compact or not b.compact:
        return 0.0
    if a.compact == b.compact:
        return 1.0
    return Indel.normalized_similarity(a.compact, b.compact)


def title_containment(a: Prepared, b: Prepared) -> float:
    """Similarity when one title is the other plus a subtitle or a trailing note."""
    if not a.words or not b.words:
        return 0.0
    return fuzz.token_set_ratio(a.words, b.words) / 100.0


def name_similarity(x: str, y: str) -> float:
    if x == y:
        return 1.0
    if not x or not y:
        return 0.0
    # "Martin-Hirsch" exported as "Martin": one surname is the start of the other.
    if len(x) >= 4 and len(y) >= 4 and (x.startswith(y) or y.startswith(x)):
        return 0.9
    return Indel.normalized_similarity(x, y)


def author_similarity(a: Prepared, b: Prepared) -> tuple[float, float] | None:
    """(first-author similarity, share of the shorter list found in the other)."""
    if not a.authors or not b.authors:
        return None
    first = name_similarity(a.authors[0], b.authors[0])
    short, long_ = (a.authors, b.authors) if len(a.authors) <= len(b.authors) else (b.authors, a.authors)
    # Truncated author lists ("et al.") keep the first names: compare only as many as both have.
    long_set = set(long_)
    overlap = sum(1 for s in short if s in long_set) / len(short)
    return first, overlap


@lru_cache(maxsize=65536)
def _abbreviates(short: str, long_tokens: tuple[str, ...]) -> bool:
    """True if ``short`` (tokens joined) abbreviates ``long_tokens`` word by word, in order.

    Each word contributes its first letter plus some of its other letters, as
    ISO 4 abbreviations do: "jamsocnephrol" abbreviates (journal, american,
    society, nephrology), "dtschmedwochenschr" (deutsche, medizinische,
    wochenschrift), "jthoraccardiovascsurg" the thoracic surgery journal. At
    most one long word may be left out, none when the long name has two words.
    """
    allowed_skips = 0 if len(long_tokens) <= 2 else 1

    @cache
    def walk(pos: int, j: int, skips: int) -> bool:
        if pos == len(short):
            return skips + (len(long_tokens) - j) <= allowed_skips
        if j == len(long_tokens):
            return False
        token = long_tokens[j]
        if skips < allowed_skips and walk(pos, j + 1, skips + 1):
            return True
        if short[pos] != token[0]:
            return False
        # Take short[pos:end] as a subsequence of token that starts at its first letter.
        t = 1
        end = pos + 1
        while True:
            if walk(end, j + 1, skips):
                return True
            if end == len(short):
                return False
            while t < len(token) and token[t] != short[end]:
                t += 1
            if t == len(token):
                return False
            t += 1
            end += 1

    return walk(0, 0, 0)


def journal_relation(a: Prepared, b: Prepared) -> tuple[str, float] | None:
    """("same" | "compatible" | "different", similarity), None when a journal is missing.

    "compatible" covers a name and a longer form of it ("Journal of Trauma"
    and "Journal of Trauma-Injury Infection & Critical Care").
    """
    if not a.journal or not b.journal:
        return None
    best = 0.0
    compatible = False
    for va in a.journal:
        for vb in b.journal:
            if va == vb:
                return ("same", 1.0)
            ja, jb = "".join(va), "".join(vb)
            if (len(ja) <= len(jb) and _abbreviates(ja, vb)) or (len(jb) < len(ja) and _abbreviates(jb, va)):
                return ("same", 1.0)
            sa, sb = set(va), set(vb)
            if len(sa) >= 2 and len(sb) >= 2 and (sa <= sb or sb <= sa):
                compatible = True
            best = max(best, Indel.normalized_similarity(" ".join(va), " ".join(vb)))
    if best >= 0.9:
        return ("same", best)
    if compatible or best >= 0.75:
        return ("compatible", best)
    return ("different", best)


def journal_similarity(a: Prepared, b: Prepared) -> float | None:
    relation = journal_relation(a, b)
    return None if relation is None else relation[1]


def page_agreement(a: Prepared, b: Prepared) -> str:
    """"same" first page, "different" pages, or "unknown" when they cannot be compared.

    Databases disagree on pages more than on anything else: one gives the
    article number (e12724, a1754) where another gives 1-6 or 969-972, one only
    the last page, some mangle supplements ("Suppl-29"). Only two plain page
    ranges that do not fit together count against a pair.
    """
    if not a.page or not b.page:
        return "unknown"
    if a.page == b.page:
        return "same"
    if a.page_prefix != b.page_prefix:
        return "unknown"
    if (not a.page_end and a.page == b.page_end) or (not b.page_end and b.page == a.page_end):
        return "unknown"
    if a.page_end and a.page_end == b.page_end and len(a.page) == len(b.page) \
            and sum(x != y for x, y in zip(a.page, b.page, strict=True)) == 1:
        return "unknown"  # a typo in the first page
    return "different"


def _differs(x: str, y: str) -> bool:
    return bool(x) and bool(y) and x != y


def compare(a: Prepared, b: Prepared) -> Comparison | None:
    """Compare two records; None when they are not even possible duplicates."""
    title = title_similarity(a, b)
    same_doi = bool(a.doi) and a.doi == b.doi
    same_pmid = bool(a.pmid) and a.pmid == b.pmid
    same_volume = bool(a.volume) and a.volume == b.volume
    pages = page_agreement(a, b)
    same_page = pages == "same"
    strong_bib = same_volume and same_page

    ident = same_doi or same_pmid
    if title < 0.6 and not (ident or strong_bib):
        # Most candidate pairs from blocking end here. A title that another
        # database extended by half its length with a subtitle still scores 0.8.
        return None
    contained = title if title >= TITLE_SAME else title_containment(a, b)
    if title < TITLE_POSSIBLE and contained < 0.9 and not ident:
        if not (strong_bib and contained >= 0.5):
            return None

    reasons: list[str] = []
    conflicts: list[str] = []
    if same_doi:
        reasons.append("same DOI")
    elif _differs(a.doi, b.doi):
        conflicts.append("different DOI")
    if same_pmid:
        reasons.append("same PMID")
    elif _differs(a.pmid, b.pmid):
        conflicts.append("different PMID")

    if title >= TITLE_SAME:
        reasons.append("same title" if title == 1.0 else f"title {title:.0%} alike")
    elif contained >= 0.9:
        reasons.append(f"title {title:.0%} alike, one contains the other")
    elif a.compact and b.compact:
        reasons.append(f"title only {title:.0%} alike")

    # What the title says about the report (erratum, reply, numbers) counts
    # unless volume and first page show both records are the same publication.
    title_conflicts: list[str] = []
    if a.kinds != b.kinds:
        title_conflicts.append("one is " + "/".join(sorted(a.kinds ^ b.kinds)) + ", the other not")
    if a.series != b.series:
        conflicts.append("different part/phase: " + ", ".join(sorted(a.series ^ b.series)))
    elif a.numbers != b.numbers and title < 1.0:
        extra = a.numbers ^ b.numbers
        # A number only one title has may be a dropped subtitle; differing numbers are two reports.
        if a.numbers - b.numbers and b.numbers - a.numbers:
            title_conflicts.append("different numbers in title: " + ", ".join(sorted(extra)))

    year_gap = abs(a.year - b.year) if a.year is not None and b.year is not None else None
    if year_gap == 0:
        reasons.append("same year")
    elif year_gap == 1:
        reasons.append("years one apart")
    elif year_gap is not None:
        conflicts.append(f"years {year_gap} apart")

    if same_volume:
        reasons.append("same volume")
    elif _differs(a.volume, b.volume):
        conflicts.append("different volume")
    if same_page:
        reasons.append("same first page")
    elif pages == "different":
        conflicts.append("different pages")
    if _differs(a.issue, b.issue) and not strong_bib:
        conflicts.append("different issue")

    authors = author_similarity(a, b)
    authors_agree = authors_clash = False
    if authors is not None:
        first, overlap = authors
        authors_agree = first >= AUTHOR_SAME or overlap >= 0.6
        authors_clash = first < 0.5 and overlap < 0.3
        if authors_agree:
            reasons.append("same first author" if first >= AUTHOR_SAME else "authors overlap")
        elif authors_clash:
            conflicts.append("different authors")

    journal = journal_relation(a, b)
    journal_agree = journal is not None and journal[0] == "same"
    journal_clash = journal is not None and journal[0] == "different"
    if journal_agree:
        reasons.append("same journal")

    long_title = min(len(a.compact), len(b.compact)) >= SHORT_TITLE
    corroborated = strong_bib or journal_agree or (authors_agree and long_title)
    short_c, long_c = sorted((a.compact, b.compact), key=len)
    extends = len(short_c) >= 30 and long_c.startswith(short_c)
    first_author_same = authors is not None and authors[0] >= AUTHOR_SAME
    journal_fits = not journal_clash
    if title_conflicts and not (strong_bib and year_gap == 0):
        conflicts.extend(title_conflicts)
        title_conflicts = []

    sure = False
    # Author lists get mangled (given name and surname swapped); with the same
    # title in the same volume, first page and year that cannot be another report.
    located = title >= TITLE_SAME and strong_bib and year_gap == 0 and journal_fits
    if authors_clash and located:
        conflicts.remove("different authors")
    if not conflicts:
        if ident and (title >= 0.9 or not (a.compact and b.compact)) and (year_gap or 0) <= 1:
            sure = True
        elif title >= TITLE_SAME and year_gap == 0 and corroborated and (journal_fits or strong_bib):
            # Same title and year in another journal is often a conference
            # abstract and its article: only volume and page can overrule that.
            sure = True
        elif (title >= TITLE_CLOSE or contained >= 0.97) and strong_bib and (year_gap or 0) <= 1 \
                and (authors_agree or journal_agree):
            sure = True
        elif (title >= 0.7 or contained >= 0.9) and strong_bib and year_gap == 0 \
                and first_author_same and journal_fits:
            # Volume, first page, year and first author locate one article; the
            # title then only has to be recognisably the same (a translation, a
            # subtitle added by one database).
            sure = True
        elif extends and same_volume and pages != "different" and year_gap == 0 \
                and first_author_same and journal_agree and not title_conflicts:
            # One database added a subtitle ("...: brief communication"); same
            # journal, volume, year and first author leave no second report.
            sure = True
        elif title >= TITLE_SAME and (year_gap or 0) <= 1 and same_volume and pages != "different" \
                and journal_agree and first_author_same:
            # Print and online years differ by one; the volume of one journal does not.
            sure = True
    if authors_clash and located:
        conflicts.append("different authors")
    conflicts.extend(title_conflicts)

    if not sure and not ident:
        # Worth a reviewer's look: clearly alike titles without a pile of
        # conflicts, or one article located by volume and page whose title was
        # translated. A short title inside a long one ("Atypical hemolytic
        # uremic syndrome") is not enough.
        against = sum(1 for c in conflicts if c.startswith(("years", "different volume", "different pages",
                                                            "different authors",
                                                            "different DOI", "different PMID")))
        shorter = min(len(a.compact), len(b.compact))
        if strong_bib and not authors_clash:
            pass
        elif title >= 0.9:
            if against > 2:
                return None
        elif title >= TITLE_POSSIBLE:
            if against > 1:
                return None
        elif not (contained >= 0.9 and shorter >= 30 and against == 0):
            return None

    score = 0.55 * max(title, 0.9 * contained) + 0.15 * (1.0 if authors_agree else 0.0 if authors_clash else 0.5)
    score += 0.1 * (1.0 if year_gap == 0 else 0.6 if year_gap == 1 else 0.0 if year_gap else 0.5)
    score += 0.1 * (1.0 if strong_bib else 0.5 if (same_volume or same_page) else 0.3 if not conflicts else 0.0)
    score += 0.1 * (1.0 if ident else 0.5 if journal_agree else 0.3)
    score -= 0.05 * len(conflicts)
    score = max(0.0, min(1.0, score))
    return Comparison(score=round(score, 4), sure=sure, reasons=tuple(reasons + conflicts))
