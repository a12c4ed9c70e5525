"""PRISMA 2020 flow diagram counts, computed from the imports and the screening log (reads only).

Three units are kept apart, as PRISMA 2020 asks: records (identified and screened),
reports (sought, retrieved and assessed: the full texts), and studies (included). Every
number is a count of rows, and every box can list the records behind it
(:func:`box_records`).

Columns: records of bibliographic databases and registers; records of other methods
(websites, organisations, citation searching, experts); and, for an updated review, the studies
of its previous version. A record belongs to the column of the search it was kept from (the
primary of its duplicate group). PRISMA's template for other methods goes from "identified"
straight to "reports sought", but here every unique record, whatever its source, passes the
title/abstract queue; so the other-methods column shows its records screened and excluded too,
rather than losing them between two boxes (PRISMA 2020 allows the template to be adapted).

While screening goes on, records or reports still waiting for decisions are counted in
``records_awaiting`` and ``awaiting``, so the sums below hold in every column at every stage:

    identified = removed (duplicates + automation + other reasons) + screened + records awaiting
    screened = records excluded + sought       sought = not retrieved + assessed + reports awaiting
    assessed = reports excluded + reports included
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils.translation import ngettext

from reviewapp.models import Review

from .models import ChecklistEntry, Record, ScreeningItem, ScreeningStage, Search, Study
from .prisma_checklist import ITEMS
from .prisma_update import UpdateScope, update_scope

Status = ScreeningItem.Status
MAIN_SOURCES = (Search.Source.DATABASE, Search.Source.REGISTER)
TA, FT = ScreeningStage.TITLE_ABSTRACT, ScreeningStage.FULL_TEXT
EVERYTHING = Q()
# The CSV's fixed boxes, in the order of the diagram.
BOXES = [
    "identified_databases", "identified_registers", "identified_other", "duplicates_removed",
    "automation_ineligible", "other_removed", "records_screened", "records_excluded", "reports_sought",
    "reports_not_retrieved", "reports_assessed", "reports_excluded", "studies_included", "reports_included",
]


@dataclass
class Column:
    """The boxes of one column (databases and registers, or other methods), records then reports."""

    records_identified: int = 0
    records_removed: int = 0  # before screening: duplicates, automation tools, other reasons
    automation_ineligible: int = 0
    records_screened: int = 0
    records_excluded: int = 0
    records_awaiting: int = 0
    sought: int = 0
    not_retrieved: int = 0
    assessed: int = 0
    excluded: int = 0
    excluded_by_reason: dict[str, int] = field(default_factory=dict)
    included: int = 0
    awaiting: int = 0


@dataclass
class PrismaCounts:
    identified_databases: int
    identified_registers: int
    identified_by_database: dict[str, int]
    identified_other: int
    identified_other_by_source: dict[str, int]
    duplicates_removed: int
    automation_ineligible: int
    other_removed: int
    records_screened: int
    records_excluded: int
    records_awaiting: int
    main: Column
    other: Column
    studies_included: int  # studies with a report included in this version
    reports_included: int
    previous_studies: int
    previous_reports: int
    # An update (screening.prisma_update): its searches' records found again (already in the review),
    # counted among the duplicates removed; the published version it updates, if any.
    update: bool = False
    found_again: int = 0
    previous_version: int | None = None
    # the same records by register name, and other methods by kind (Search.Source value)
    identified_by_register: dict[str, int] = field(default_factory=dict)
    identified_other_by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def updated_review(self) -> bool:
        return self.update or self.previous_studies > 0

    @property
    def has_other_methods(self) -> bool:
        return self.identified_other > 0

    @property
    def identified(self) -> int:
        return self.identified_databases + self.identified_registers

    def csv_rows(self) -> list[tuple[str, int]]:
        """The counts as (box, count) rows for prisma.csv; other-methods report boxes carry an `_other` suffix."""
        m = self.main
        rows = [
            ("identified_databases", self.identified_databases), ("identified_registers", self.identified_registers),
            ("identified_other", self.identified_other), ("duplicates_removed", self.duplicates_removed),
            ("automation_ineligible", self.automation_ineligible), ("other_removed", self.other_removed),
            ("records_screened", self.records_screened), ("records_excluded", self.records_excluded),
            ("reports_sought", m.sought), ("reports_not_retrieved", m.not_retrieved),
            ("reports_assessed", m.assessed), ("reports_excluded", m.excluded),
        ]
        rows += [(f"reports_excluded:{reason}", n) for reason, n in sorted(m.excluded_by_reason.items())]
        rows += [("studies_included", self.studies_included), ("reports_included", self.reports_included)]
        rows += [(f"identified_database:{name}", n) for name, n in sorted(self.identified_by_database.items())]
        if self.records_awaiting or m.awaiting:
            rows += [("records_awaiting", self.records_awaiting), ("reports_awaiting", m.awaiting)]
        if self.has_other_methods:
            o = self.other
            rows += [(f"identified_other:{name}", n) for name, n in sorted(self.identified_other_by_source.items())]
            rows += [("records_screened_other", o.records_screened), ("records_excluded_other", o.records_excluded)]
            if o.automation_ineligible:
                rows += [("automation_ineligible_other", o.automation_ineligible)]
            if o.records_awaiting or o.awaiting:
                rows += [("records_awaiting_other", o.records_awaiting), ("reports_awaiting_other", o.awaiting)]
            rows += [("reports_sought_other", o.sought), ("reports_not_retrieved_other", o.not_retrieved),
                     ("reports_assessed_other", o.assessed), ("reports_excluded_other", o.excluded)]
            rows += [(f"reports_excluded_other:{r}", n) for r, n in sorted(o.excluded_by_reason.items())]
            rows += [("reports_included_other", o.included)]
        if self.updated_review:
            rows += [("previous_studies", self.previous_studies), ("previous_reports", self.previous_reports),
                     ("found_again", self.found_again)]
        return rows


@dataclass
class Screened:
    """One column's screening items: by status at title/abstract and at full text, and the
    excluded full texts by reason (as stored: "" for none given)."""

    ta: dict[str, int] = field(default_factory=dict)
    ft: dict[str, int] = field(default_factory=dict)
    ft_reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class Identified:
    """The boxes that count records alone (no screening): what an import, a merge or an edit moves."""

    by_database: dict[str, int]  # main columns' records by database or register name
    by_register: dict[str, int]
    other_by_kind: dict[str, int]  # other methods' unique records by Search.Source value
    duplicates: int
    found_again: int


def _screened(review: Review, sources, scope: Q) -> Screened:
    """A column's screening items, counted."""
    in_scope = ScreeningItem.objects.filter(scope, review=review, record__search__source__in=sources)
    items = in_scope.filter(stage=FT)
    return Screened(
        ta=dict(in_scope.filter(stage=TA).values_list("status").annotate(n=Count("id")).order_by()),
        ft=dict(items.values_list("status").annotate(n=Count("id")).order_by()),
        ft_reasons=dict(items.filter(status=Status.EXCLUDED).values_list("reason").annotate(n=Count("id"))
                        .order_by()))


def _column(screened: Screened, *, identified: int, duplicates: int = 0) -> Column:
    ta_status, by_status = screened.ta, screened.ft
    automation = ta_status.get(Status.AUTOMATION_EXCLUDED, 0)
    col = Column(
        records_identified=identified, records_removed=duplicates + automation, automation_ineligible=automation,
        records_screened=ta_status.get(Status.INCLUDED, 0) + ta_status.get(Status.EXCLUDED, 0),
        records_excluded=ta_status.get(Status.EXCLUDED, 0),
        records_awaiting=ta_status.get(Status.PENDING, 0) + ta_status.get(Status.CONFLICT, 0),
        not_retrieved=by_status.get(Status.NOT_RETRIEVED, 0), excluded=by_status.get(Status.EXCLUDED, 0),
        included=by_status.get(Status.INCLUDED, 0),
        awaiting=by_status.get(Status.PENDING, 0) + by_status.get(Status.CONFLICT, 0),
        excluded_by_reason={reason or "No reason given": n for reason, n in screened.ft_reasons.items() if n},
    )
    col.assessed = col.excluded + col.included
    col.sought = col.not_retrieved + col.assessed + col.awaiting
    return col


def _scope_of(review: Review) -> tuple[UpdateScope | None, Q, Q]:
    """The update shown (None: a first review), and the filters of its records and their screening items."""
    scope = update_scope(review=review)
    if scope is None:
        return None, EVERYTHING, EVERYTHING
    return scope, Q(search__created_at__gt=scope.since), Q(record__search__created_at__gt=scope.since)


def identified_counts(review: Review, scope: UpdateScope | None) -> Identified:
    """The records' boxes, counted (they read every record of the review: kept by the caller)."""
    in_update = EVERYTHING if scope is None else scope.records()
    records = Record.objects.filter(in_update, review=review)
    main_records = records.filter(search__source__in=MAIN_SOURCES)
    per_search = (main_records.values("search__source", "search__database").annotate(n=Count("id"))
                  .order_by("search__database"))
    by_database: dict[str, int] = {}
    by_register: dict[str, int] = {}
    for row in per_search:
        by_database[row["search__database"]] = by_database.get(row["search__database"], 0) + row["n"]
        if row["search__source"] == Search.Source.REGISTER:
            by_register[row["search__database"]] = by_register.get(row["search__database"], 0) + row["n"]
    other_unique = records.filter(search__source__in=Search.OTHER_METHODS, duplicate_of__isnull=True)
    found_again = 0 if scope is None else records.filter(
        duplicate_of__isnull=False, duplicate_of__search__created_at__lte=scope.since).count()
    return Identified(
        by_database=by_database, by_register=by_register,
        other_by_kind=dict(other_unique.values_list("search__source").annotate(n=Count("id")).order_by()),
        duplicates=main_records.filter(duplicate_of__isnull=False).count(), found_again=found_again)


def prisma_counts(*, review: Review) -> PrismaCounts:
    """The diagram's counts, every box counted afresh (the reference the kept counts must equal)."""
    scope, _, items_in_update = _scope_of(review)
    return assemble(review, scope, identified_counts(review, scope),
                    main=_screened(review, MAIN_SOURCES, items_in_update),
                    other=_screened(review, Search.OTHER_METHODS, items_in_update))


def assemble(review: Review, scope: UpdateScope | None, identified: Identified, *, main: Screened,
             other: Screened) -> PrismaCounts:
    """The diagram from its records' and screening boxes; the included studies and reports are
    counted here (they follow the few records linked to studies)."""
    by_database, by_register = identified.by_database, identified.by_register
    registers = sum(by_register.values())
    other_by_kind = identified.other_by_kind
    other_by_source = {Search.Source(s).label: n for s, n in other_by_kind.items()}
    main_col = _column(main, identified=sum(by_database.values()), duplicates=identified.duplicates)
    # Other methods count their unique records: a duplicate was kept under another search's column.
    other_col = _column(other, identified=sum(other_by_source.values()))
    if scope is None:
        included = Study.objects.filter(review=review, previous_version=False)
        studies_included = included.filter(reports__isnull=False).distinct().count()
        # The items' review too: their queue index then finds the included full texts alone (#30).
        reports_included = Record.objects.filter(review=review, study__previous_version=False,
                                                 screening_items__review=review, screening_items__stage=FT,
                                                 screening_items__status=Status.INCLUDED).count()
        previous_ids = set(Study.objects.filter(review=review, previous_version=True).values_list("pk", flat=True))
    else:
        new_reports = _new_reports(review, scope)
        studies_included = new_reports.values("study").distinct().count()
        reports_included = new_reports.count()
        previous_ids = scope.previous_study_ids
    return PrismaCounts(
        identified_databases=sum(by_database.values()) - registers, identified_registers=registers,
        identified_by_database=by_database,
        identified_other=sum(other_by_source.values()), identified_other_by_source=other_by_source,
        duplicates_removed=identified.duplicates, automation_ineligible=main_col.automation_ineligible,
        other_removed=0, records_screened=main_col.records_screened, records_excluded=main_col.records_excluded,
        records_awaiting=main_col.records_awaiting, main=main_col, other=other_col,
        studies_included=studies_included, reports_included=reports_included,
        previous_studies=len(previous_ids),
        previous_reports=Record.objects.filter(review=review, study__in=previous_ids).count(),
        identified_by_register=by_register, identified_other_by_kind=other_by_kind,
        update=scope is not None, found_again=identified.found_again,
        previous_version=scope.version if scope else None,
    )


def _new_reports(review: Review, scope: UpdateScope) -> QuerySet[Record]:
    """An update's included reports: found by its searches, of studies not in the previous version."""
    return (Record.objects.filter(review=review, search__created_at__gt=scope.since, study__isnull=False,
                                  screening_items__review=review, screening_items__stage=FT,
                                  screening_items__status=Status.INCLUDED)
            .exclude(study__in=scope.previous_study_ids))


def box_records(*, review: Review, box: str) -> QuerySet[Record]:
    """The records a box counts (for reports: the records whose full text it counts)."""
    scope, in_update, _ = _scope_of(review)
    if scope is not None and box in ("previous_studies", "previous_reports"):
        return Record.objects.filter(review=review, study__in=scope.previous_study_ids)
    if scope is not None and box in ("reports_included", "studies_included"):
        return _new_reports(review, scope)
    records = Record.objects.filter(in_update, review=review)
    main = Q(search__source__in=MAIN_SOURCES)
    other = Q(search__source__in=Search.OTHER_METHODS)
    name, _, detail = box.partition(":")
    in_other = name.endswith("_other")
    column = other if in_other else main
    name = name.removesuffix("_other")

    def at(stage: str, *statuses: str) -> QuerySet[Record]:
        return records.filter(column, screening_items__stage=stage, screening_items__status__in=statuses)

    if name == "identified_databases":
        return records.filter(search__source=Search.Source.DATABASE)
    if name == "identified_registers":
        return records.filter(search__source=Search.Source.REGISTER)
    if name == "identified_database":
        return records.filter(main, search__database=detail)
    if name == "identified":  # identified_other
        return records.filter(other, duplicate_of__isnull=True)
    if name == "duplicates_removed":
        return records.filter(main, duplicate_of__isnull=False)
    if name == "automation_ineligible":
        return at(TA, Status.AUTOMATION_EXCLUDED)
    if name == "records_screened":
        return at(TA, Status.INCLUDED, Status.EXCLUDED)
    if name == "records_excluded":
        return at(TA, Status.EXCLUDED)
    if name == "records_awaiting":
        return at(TA, Status.PENDING, Status.CONFLICT)
    if name == "reports_sought":
        return at(FT, *Status.values)
    if name == "reports_not_retrieved":
        return at(FT, Status.NOT_RETRIEVED)
    if name == "reports_assessed":
        return at(FT, Status.INCLUDED, Status.EXCLUDED)
    if name == "reports_awaiting":
        return at(FT, Status.PENDING, Status.CONFLICT)
    if name == "reports_excluded":
        excluded = at(FT, Status.EXCLUDED)
        return excluded.filter(screening_items__reason=detail) if detail else excluded
    if in_other and name == "reports_included":
        return at(FT, Status.INCLUDED)
    if name in ("reports_included", "studies_included"):  # both columns flow into the included box
        return records.filter(screening_items__stage=FT, screening_items__status=Status.INCLUDED,
                              study__previous_version=False)
    if name in ("previous_studies", "previous_reports"):
        return records.filter(study__previous_version=True)
    if name == "found_again":
        if scope is None:
            return records.none()
        return records.filter(duplicate_of__isnull=False, duplicate_of__search__created_at__lte=scope.since)
    if name == "other_removed":
        return records.none()
    raise ValueError(f"unknown PRISMA box {box!r}")


# ---------------------------------------------------------------- the search appendix (PRISMA-S)

@dataclass
class AppendixRow:
    search: Search
    imported: int
    unique: int
    found_again: int = 0  # a run of a search repeated: records the review already held
    query_difference: list[tuple[str, str]] = field(default_factory=list)  # against the run it repeats

    @property
    def is_run_again(self) -> bool:
        return self.search.repeats_id is not None

    @property
    def difference(self) -> int | None:
        """Imported minus reported: negative when the export brought fewer records than the source reported."""
        if self.search.reported_hits is None:
            return None
        return self.imported - self.search.reported_hits

    @property
    def difference_text(self) -> str:
        """The signed difference in words, for the page and the Markdown ("" when the counts agree)."""
        if not self.difference:
            return ""
        return f"imported minus reported: {self.difference:+,}; check the export"


def search_appendix(*, review: Review) -> list[AppendixRow]:
    from .reruns import query_difference

    again = Q(records__duplicate_of__isnull=False) & ~Q(records__duplicate_of__search=F("pk"))
    searches = (Search.objects.filter(review=review).select_related("repeats")
                .annotate(imported=Count("records", distinct=True),
                          unique=Count("records", filter=Q(records__duplicate_of__isnull=True), distinct=True),
                          found_again=Count("records", filter=again, distinct=True))
                .order_by("source", "date_run", "database", "id"))
    return [AppendixRow(search=s, imported=s.imported, unique=s.unique,
                        found_again=s.found_again if s.repeats_id else 0,
                        query_difference=query_difference(s.repeats.query, s.query) if s.repeats else [])
            for s in searches]


APPENDIX_CSV_HEADER = ["source", "database", "platform", "date_run", "query", "limits", "records_reported",
                       "records_imported", "imported_minus_reported", "unique_after_deduplication", "notes",
                       "run_again_of", "found_again", "query_changed"]


def appendix_csv_rows(rows: list[AppendixRow]) -> list[list]:
    return [[r.search.get_source_display(), r.search.database, r.search.platform, r.search.date_run.isoformat(),
             r.search.query, r.search.limits, "" if r.search.reported_hits is None else r.search.reported_hits,
             r.imported, "" if r.difference is None else r.difference, r.unique, r.search.notes,
             r.search.repeats.date_run.isoformat() if r.search.repeats else "",
             r.found_again if r.is_run_again else "", ("yes" if r.query_difference else "no") if r.is_run_again else ""]
            for r in rows]


DEDUP_METHOD = ("Duplicates were found across all searches by the review manager's deduplication (exact DOI or "
                "PMID, then fuzzy title, author, year and journal matching); sure duplicates were merged "
                "automatically and possible ones decided by a lead, and every merge is recorded.")


def appendix_markdown(*, review: Review, rows: list[AppendixRow]) -> str:
    """The appendix as Markdown for a supplementary file, one section per search (PRISMA-S items)."""
    out = [f"# Search appendix: {review.title}", ""]
    for n, r in enumerate(rows, 1):
        s = r.search
        out += [f"## {n}. {s.where}", "",
                f"- Kind of source: {s.get_source_display()}", f"- Date searched: {s.date_run.isoformat()}"]
        if s.repeats is not None:
            out.append(f"- Update: run again of the search of {s.repeats.date_run.isoformat()}; "
                       f"new records: {r.unique:,}; found again (already in the review): {r.found_again:,}")
            if r.query_difference:
                out += ["- The query changed against that run (- removed, + added):", "", "```diff"]
                out += [f"{mark}{line}" for mark, line in r.query_difference] + ["```"]
            else:
                out.append("- The query is the same as that run's.")
        if s.limits:
            out.append(f"- Limits and filters: {s.limits}")
        reported = "not recorded" if s.reported_hits is None else f"{s.reported_hits:,}"
        out.append(f"- Records reported by the source: {reported}; records imported: {r.imported:,}"
                   + (f" ({r.difference_text})" if r.difference else ""))
        out.append(f"- Unique after deduplication: {r.unique:,}")
        if s.notes:
            out.append(f"- Notes: {s.notes}")
        out += ["", "```", s.query, "```", ""]
    out += ["## Deduplication", "", DEDUP_METHOD, ""]
    return "\n".join(out)


# ---------------------------------------------------------------- the checklist, prefilled

def _counted(n: int, one: str, many: str) -> str:
    return f"{n:,} {ngettext(one, many, n)}"


def checklist_suggestions(*, review: Review) -> dict[str, tuple[str, str]]:
    """(where reported, what the app knows) for the items the app can speak to."""
    from .models import ScreeningSettings

    counts = prisma_counts(review=review)
    cfg = ScreeningSettings.objects.filter(review=review).first() or ScreeningSettings()
    rows = search_appendix(review=review)
    sources = "; ".join(f"{r.search.where}, searched {r.search.date_run:%d %B %Y}" for r in rows)
    screeners = "two reviewers independently" if cfg.reviewers_per_record == 2 else "one reviewer"
    blind = ", blind to each other's decisions," if cfg.blind and cfg.reviewers_per_record == 2 else ""
    automated = counts.automation_ineligible + counts.other.automation_ineligible
    automation = (" " + ngettext("%s record was marked ineligible by the screening tool's stopping rule.",
                                 "%s records were marked ineligible by the screening tool's stopping rule.",
                                 automated) % f"{automated:,}" if automated else "")
    by_reason = Counter(counts.main.excluded_by_reason) + Counter(counts.other.excluded_by_reason)
    reasons = "; ".join(f"{reason} ({n})" for reason, n in sorted(by_reason.items()))
    return {
        "5": ("Methods: eligibility criteria", cfg.criteria or review.study_designs),
        "6": ("Methods: information sources", sources),
        "7": ("Supplementary file: search appendix",
              ngettext("The full strategy of the search, with its limits and date, is in the search appendix.",
                       "The full strategies of all {n} searches, with limits and dates, are in the search appendix.",
                       len(rows)).format(n=len(rows))),
        "8": ("Methods: selection process",
              f"Each record was screened by {screeners}{blind} at title and abstract and again at full text; "
              f"disagreements were resolved by a lead or a third reviewer.{automation}"),
        "16a": ("Results: PRISMA 2020 flow diagram",
                f"{_counted(counts.identified + counts.identified_other, 'record', 'records')} identified, "
                f"{_counted(counts.duplicates_removed, 'duplicate', 'duplicates')} removed, "
                f"{counts.records_screened + counts.other.records_screened:,} screened, "
                f"{_counted(counts.main.assessed + counts.other.assessed, 'full text', 'full texts')} assessed, "
                f"{_counted(counts.studies_included, 'study', 'studies')} "
                f"({_counted(counts.reports_included, 'report', 'reports')}) included"
                + (f" in this update, with {_counted(counts.previous_studies, 'study', 'studies')} of the previous "
                   f"version: {_counted(counts.previous_studies + counts.studies_included, 'study', 'studies')} "
                   f"in all; {_counted(counts.found_again, 'record', 'records')} found again by the update's "
                   "searches." if counts.updated_review else ".")),
        "16b": ("Results: excluded studies", f"Full texts excluded with reasons: {reasons}." if reasons else ""),
    }


def checklist_rows(*, review: Review) -> list[dict]:
    """The PRISMA 2020 checklist as the page and the API show it: each item with where it is
    reported and a note, as saved, or else what the review's own data suggests (``saved`` false)."""
    saved = {e.item: e for e in ChecklistEntry.objects.filter(review=review)}
    known = checklist_suggestions(review=review)
    rows = []
    for item, section, topic, asks in ITEMS:
        entry = saved.get(item)
        suggestion = known.get(item, ("", ""))
        rows.append({"item": item, "section": section, "topic": topic, "asks": asks, "saved": entry is not None,
                     "location": entry.location if entry else suggestion[0],
                     "note": entry.note if entry else suggestion[1], "known": suggestion[1]})
    return rows
