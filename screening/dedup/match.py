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
from enum import Enum
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
    ca, cb = a.compact, b.compact  # derived on each read (normalise.Prepared)
    if not ca or not cb:
        return 0.0
    if ca == cb:
        return 1.0
    return Indel.normalized_similarity(ca, cb)


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


class Conflict(Enum):
    """What speaks against one report, in the order a reviewer reads them.

    The wording is rendered only at the edge (``Comparison.reasons``); ``against``
    marks the bibliographic clashes that decide whether an unsure pair is worth a look.
    """

    DOI = ("different DOI", True)
    PMID = ("different PMID", True)
    SERIES = ("different part/phase: {}", False)
    YEARS = ("years {} apart", True)
    VOLUME = ("different volume", True)
    PAGES = ("different pages", True)
    ISSUE = ("different issue", False)
    AUTHORS = ("different authors", True)
    KIND = ("one is {}, the other not", False)  # erratum, reply, protocol...
    NUMBERS = ("different numbers in title: {}", False)

    def __init__(self, wording: str, against: bool) -> None:
        self.wording = wording
        self.against = against

    def render(self, detail: str) -> str:
        return self.wording.format(detail)


# What a title says about the report; volume, first page and year together overrule it.
TITLE_CONFLICTS = frozenset({Conflict.KIND, Conflict.NUMBERS})


@dataclass(slots=True)
class Evidence:
    """Everything ``compare`` weighs about one pair, gathered once."""

    title: float
    contained: float
    same_doi: bool
    same_pmid: bool
    same_volume: bool
    pages: str  # page_agreement()
    strong_bib: bool  # same volume and first page
    year_gap: int | None
    first_author: float | None  # None when a record has no authors
    first_author_same: bool
    authors_agree: bool
    authors_clash: bool
    journal_agree: bool
    journal_clash: bool
    both_titles: bool
    shorter_title: int  # characters (compact)
    extends: bool  # the shorter title starts the longer one (a subtitle added)
    conflicts: dict[Conflict, str]  # conflict -> detail for its wording

    @property
    def ident(self) -> bool:
        return self.same_doi or self.same_pmid

    @property
    def gap_at_most_one(self) -> bool:
        return (self.year_gap or 0) <= 1

    @property
    def located(self) -> bool:
        """Same title in the same volume, first page and year: mangled author lists cannot make it another report."""
        return self.title >= TITLE_SAME and self.strong_bib and self.year_gap == 0 and not self.journal_clash

    def blocking(self) -> set[Conflict]:
        """The conflicts that forbid merging without asking."""
        waived: set[Conflict] = set()
        if self.strong_bib and self.year_gap == 0:
            waived |= TITLE_CONFLICTS
        if self.located:
            waived.add(Conflict.AUTHORS)
        return set(self.conflicts) - waived

    def against(self) -> int:
        return sum(1 for c in self.conflicts if c.against)


# Sure-rules: with no blocking conflict, any one of them merges the pair without asking.
def same_identifier(e: Evidence) -> bool:
    return e.ident and (e.title >= 0.9 or not e.both_titles) and e.gap_at_most_one


def same_title_and_year_corroborated(e: Evidence) -> bool:
    # Same title and year in another journal is often a conference abstract and
    # its article: only volume and page can overrule that.
    corroborated = e.strong_bib or e.journal_agree or (e.authors_agree and e.shorter_title >= SHORT_TITLE)
    return e.title >= TITLE_SAME and e.year_gap == 0 and corroborated and (not e.journal_clash or e.strong_bib)


def close_title_at_same_place(e: Evidence) -> bool:
    return ((e.title >= TITLE_CLOSE or e.contained >= 0.97) and e.strong_bib and e.gap_at_most_one
            and (e.authors_agree or e.journal_agree))


def located_by_first_author(e: Evidence) -> bool:
    # Volume, first page, year and first author locate one article; the title
    # then only has to be recognisably the same (a translation, a subtitle
    # added by one database).
    return ((e.title >= 0.7 or e.contained >= 0.9) and e.strong_bib and e.year_gap == 0
            and e.first_author_same and not e.journal_clash)


def subtitle_added(e: Evidence) -> bool:
    # One database added a subtitle ("...: brief communication"); same journal,
    # volume, year and first author leave no second report.
    return (e.extends and e.same_volume and e.pages != "different" and e.year_gap == 0
            and e.first_author_same and e.journal_agree and not TITLE_CONFLICTS & e.conflicts.keys())


def print_and_online_years(e: Evidence) -> bool:
    # Print and online years differ by one; the volume of one journal does not.
    return (e.title >= TITLE_SAME and e.gap_at_most_one and e.same_volume and e.pages != "different"
            and e.journal_agree and e.first_author_same)


SURE_RULES = (same_identifier, same_title_and_year_corroborated, close_title_at_same_place,
              located_by_first_author, subtitle_added, print_and_online_years)


def is_sure(e: Evidence) -> bool:
    for rule in SURE_RULES:
        if rule(e):
            return not e.blocking()
    return False


def worth_a_look(e: Evidence) -> bool:
    """For a pair that is not sure: clearly alike titles without a pile of
    conflicts, or one article located by volume and page whose title was
    translated. A short title inside a long one ("Atypical hemolytic uremic
    syndrome") is not enough."""
    if e.ident or (e.strong_bib and not e.authors_clash):
        return True
    against = e.against()
    if e.title >= 0.9:
        return against <= 2
    if e.title >= TITLE_POSSIBLE:
        return against <= 1
    return e.contained >= 0.9 and e.shorter_title >= 30 and against == 0


def _title_conflicts(a: Prepared, b: Prepared, title: float, found: dict[Conflict, str]) -> None:
    if a.kinds != b.kinds:
        found[Conflict.KIND] = "/".join(sorted(a.kinds ^ b.kinds))
    # A number only one title has may be a dropped subtitle; differing numbers are two reports.
    if a.series == b.series and title < 1.0 and a.numbers - b.numbers and b.numbers - a.numbers:
        found[Conflict.NUMBERS] = ", ".join(sorted(a.numbers ^ b.numbers))


def _gather(a: Prepared, b: Prepared, title: float, contained: float, pages: str) -> Evidence:
    """The pair's evidence; conflicts are entered in the order of ``Conflict``."""
    found: dict[Conflict, str] = {}
    if _differs(a.doi, b.doi):
        found[Conflict.DOI] = ""
    if _differs(a.pmid, b.pmid):
        found[Conflict.PMID] = ""
    if a.series != b.series:
        found[Conflict.SERIES] = ", ".join(sorted(a.series ^ b.series))
    year_gap = abs(a.year - b.year) if a.year is not None and b.year is not None else None
    if year_gap is not None and year_gap > 1:
        found[Conflict.YEARS] = str(year_gap)
    same_volume = bool(a.volume) and a.volume == b.volume
    strong_bib = same_volume and pages == "same"
    if _differs(a.volume, b.volume):
        found[Conflict.VOLUME] = ""
    if pages == "different":
        found[Conflict.PAGES] = ""
    if _differs(a.issue, b.issue) and not strong_bib:
        found[Conflict.ISSUE] = ""
    first_author, agree, clash = _author_verdict(a, b)
    if clash:
        found[Conflict.AUTHORS] = ""
    _title_conflicts(a, b, title, found)
    journal = journal_relation(a, b)
    short_c, long_c = sorted((a.compact, b.compact), key=len)
    return Evidence(
        title=title, contained=contained, same_doi=bool(a.doi) and a.doi == b.doi,
        same_pmid=bool(a.pmid) and a.pmid == b.pmid, same_volume=same_volume, pages=pages,
        strong_bib=strong_bib, year_gap=year_gap, first_author=first_author,
        first_author_same=first_author is not None and first_author >= AUTHOR_SAME,
        authors_agree=agree, authors_clash=clash,
        journal_agree=journal is not None and journal[0] == "same",
        journal_clash=journal is not None and journal[0] == "different",
        both_titles=bool(short_c), shorter_title=len(short_c),
        extends=len(short_c) >= 30 and long_c.startswith(short_c), conflicts=found,
    )


def _author_verdict(a: Prepared, b: Prepared) -> tuple[float | None, bool, bool]:
    """(first-author similarity or None, the lists agree, the lists clash)."""
    authors = author_similarity(a, b)
    if authors is None:
        return None, False, False
    first, overlap = authors
    return first, first >= AUTHOR_SAME or overlap >= 0.6, first < 0.5 and overlap < 0.3


def _agreements(e: Evidence) -> list[str]:
    """What speaks for one report, worded for the reviewer."""
    said = ["same DOI"] if e.same_doi else []
    said += ["same PMID"] if e.same_pmid else []
    if e.title >= TITLE_SAME:
        said.append("same title" if e.title == 1.0 else f"title {e.title:.0%} alike")
    elif e.contained >= 0.9:
        said.append(f"title {e.title:.0%} alike, one contains the other")
    elif e.both_titles:
        said.append(f"title only {e.title:.0%} alike")
    if e.year_gap == 0:
        said.append("same year")
    elif e.year_gap == 1:
        said.append("years one apart")
    said += ["same volume"] if e.same_volume else []
    said += ["same first page"] if e.pages == "same" else []
    if e.authors_agree:
        said.append("same first author" if e.first_author_same else "authors overlap")
    said += ["same journal"] if e.journal_agree else []
    return said


def _score(e: Evidence) -> float:
    """Orders the review queue (0 to 1)."""
    authors = 1.0 if e.authors_agree else 0.0 if e.authors_clash else 0.5
    years = {0: 1.0, 1: 0.6, None: 0.5}.get(e.year_gap, 0.0)
    place = (1.0 if e.strong_bib else 0.5 if (e.same_volume or e.pages == "same")
             else 0.3 if not e.conflicts else 0.0)
    ident = 1.0 if e.ident else 0.5 if e.journal_agree else 0.3
    score = 0.55 * max(e.title, 0.9 * e.contained) + 0.15 * authors + 0.1 * years + 0.1 * place + 0.1 * ident
    return max(0.0, min(1.0, score - 0.05 * len(e.conflicts)))


def _titles_worth_comparing(a: Prepared, b: Prepared, pages: str) -> tuple[float, float] | None:
    """(title similarity, containment), or None when the pair is not even possible."""
    title = title_similarity(a, b)
    ident = (bool(a.doi) and a.doi == b.doi) or (bool(a.pmid) and a.pmid == b.pmid)
    strong_bib = bool(a.volume) and a.volume == b.volume and pages == "same"
    if title < 0.6 and not (ident or strong_bib):
        # Most candidate pairs from blocking end here. A title that another
        # database extended by half its length with a subtitle still scores 0.8.
        return None
    contained = title if title >= TITLE_SAME else title_containment(a, b)
    if title < TITLE_POSSIBLE and contained < 0.9 and not ident and not (strong_bib and contained >= 0.5):
        return None
    return title, contained


def compare(a: Prepared, b: Prepared) -> Comparison | None:
    """Compare two records; None when they are not even possible duplicates."""
    pages = page_agreement(a, b)
    titles = _titles_worth_comparing(a, b, pages)
    if titles is None:
        return None
    evidence = _gather(a, b, *titles, pages)
    sure = is_sure(evidence)
    if not sure and not worth_a_look(evidence):
        return None
    reasons = _agreements(evidence) + [c.render(detail) for c, detail in evidence.conflicts.items()]
    return Comparison(score=round(_score(evidence), 4), sure=sure, reasons=tuple(reasons))
