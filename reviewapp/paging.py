"""Pages of long lists that stay fast deep into the list and with filters that match many rows (#30).

Django's Paginator asks the database for ``OFFSET n LIMIT 50`` of the full query: with joins,
annotations and wide rows, PostgreSQL builds and throws away every one of the n rows first
(page 4,000 of a million records took 4.8 s). Here the offset is taken on the ids alone (an
index-only scan when an index covers the filter and the order), and only the page's rows are
then read in full by their ids: a "deferred join". The order and the rows are those of the
query given, so any filter or sort keeps working.

Three more costs grow with the list, and each is bounded here:

- The count. A caller that already knows how many rows the query has (the records list without
  filters is the review's count of unique records, shown on the same page) passes ``count``; a
  first page that is not full is the whole list and counts itself. Otherwise a list is counted
  up to ``COUNT_CAP`` rows only (the database stops at the first ``COUNT_CAP + 1`` matches
  instead of reading every one): a filter that matches more says "more than 1,000" and its
  pages are numbered without a last one.
- Paging on by id ("keyset"): a list in id order goes on from its last row with ``after=<id>``
  (and back with ``before=<id>``), one index range scan whatever the depth. The first pages keep
  their numbers; from ``SHALLOW`` rows on, "next" goes by id.
- A page number typed deep into the list still works, by the ids' offset (above).
"""
from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, cast

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet

#: offsets below this are read in one query as usual: the first pages cost nothing to skip
SHALLOW = 1000
#: a list without a known length is counted up to this many rows; beyond, "more than" this. A
#: text search matching many records is checked record by record (the stored words of each
#: candidate are read again): for a word in 38% of a million abstracts the 1,001 took
#: 36 ms, so 10,000 would cost several tenths of a second.
COUNT_CAP = 1000
#: page numbers beyond this are refused (the offset would scan too far to answer in time)
MAX_PAGE = 1_000_000


def capped_count(queryset: QuerySet, cap: int | None = None) -> int:
    """The rows of ``queryset``, counted up to ``cap + 1``: ``cap + 1`` means "more than ``cap``"."""
    cap = COUNT_CAP if cap is None else cap
    return queryset.order_by().values("pk")[: cap + 1].count()


def in_id_order(queryset: QuerySet) -> bool:
    """Whether ``queryset`` is ordered by its id alone (then it can be paged on by id)."""
    return tuple(queryset.query.order_by) in (("id",), ("pk",))


def rows_by_ids(queryset: QuerySet, bottom: int, top: int) -> list[Any]:
    """Rows ``bottom`` to ``top`` of ``queryset`` in its order, read in full only for those rows
    once the offset is deep (from ``SHALLOW``)."""
    if bottom < SHALLOW:
        return list(queryset[bottom:top])
    ids = list(queryset.values_list("pk", flat=True)[bottom:top])
    if not ids:
        return []
    # Ordering is dropped from the second query: the ids say it. Prefetches still run on these rows.
    found = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
    return [found[pk] for pk in ids if pk in found]


def rows_after(queryset: QuerySet, *, after: int | None = None, before: int | None = None,
               limit: int) -> list[Any]:
    """Up to ``limit`` rows of ``queryset`` (in id order) after the id ``after``, or the last ``limit``
    before the id ``before``, in id order: one range scan of the id index, at any depth."""
    if before is not None:
        return list(reversed(queryset.filter(pk__lt=before).order_by("-id")[:limit]))
    return list(queryset.filter(pk__gt=after or 0)[:limit])


def bounded_int(value: Any) -> int | None:
    """A positive whole number from a query string, or None (an id or page too large for the database is None)."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 16 else None


class DeferredJoinPaginator(Paginator):
    """Paginator whose pages are read by ids (``rows_by_ids``), with an optional known ``count``
    and, without one, a count capped at ``COUNT_CAP`` by ``count_with`` (``exact`` says which)."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int | None = None,
                 count_with: Callable[[QuerySet], int] = capped_count, **kwargs: Any):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count
        self._count_with = count_with  # `capped_count`, or one that keeps its answer (a text search's)

    @cached_property
    def count(self) -> int:
        if self._known_count is not None:
            return self._known_count
        return self._count_with(cast(QuerySet, self.object_list))

    @property
    def exact(self) -> bool:
        """Whether ``count`` is the list's length (else the list has more than ``COUNT_CAP`` rows)."""
        return self._known_count is not None or self.count <= COUNT_CAP

    @property
    def cap(self) -> int:
        return COUNT_CAP

    @property
    def cap_words(self) -> str:
        """The cap as the page writes it ("1,000")."""
        return f"{COUNT_CAP:,}"

    @property
    def keyset(self) -> bool:
        """Whether the list can be paged on by id (it is in id order)."""
        return in_id_order(cast(QuerySet, self.object_list))

    def validate_number(self, number: Any) -> int:
        if self.exact:
            return super().validate_number(number)
        # More rows than were counted: any page up to the bound may hold rows; reading it tells.
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1 or number > MAX_PAGE:
            raise EmptyPage("That page number is out of range")
        return number

    def page(self, number: Any) -> ListPage:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.exact:
            if top + self.orphans >= self.count:
                top = self.count
            rows = rows_by_ids(cast(QuerySet, self.object_list), bottom, top)
            return ListPage(rows, number, self, more=number < self.num_pages)
        rows = rows_by_ids(cast(QuerySet, self.object_list), bottom, top + 1)  # one more: is there a next page?
        return ListPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def page_by_id(self, *, after: int | None = None, before: int | None = None) -> ListPage:
        """The page after the id ``after`` (or before the id ``before``); its number is not known."""
        rows = rows_after(cast(QuerySet, self.object_list), after=after, before=before, limit=self.per_page + 1)
        if before is not None:
            page = ListPage(rows[-self.per_page:], None, self, more=True, earlier=len(rows) > self.per_page)
        else:
            page = ListPage(rows[: self.per_page], None, self, more=len(rows) > self.per_page, earlier=True)
        return page

    def get_list_page(self, query: Any) -> ListPage:
        """The page a query string asks for: ``after`` or ``before`` an id (lists in id order), else ``page``."""
        if self.keyset:
            after, before = bounded_int(query.get("after")), bounded_int(query.get("before"))
            if after is not None or before is not None:
                return self.page_by_id(after=after, before=before)
        number = bounded_int(query.get("page")) or 1
        if self._known_count is None and "count" not in self.__dict__ and (number - 1) * self.per_page < SHALLOW:
            # A page that is not full ends the list: its rows give the count, and no count is asked.
            bottom = (number - 1) * self.per_page
            rows = rows_by_ids(cast(QuerySet, self.object_list), bottom, bottom + self.per_page + 1)
            if len(rows) <= self.per_page and (rows or bottom == 0):
                self.__dict__["count"] = bottom + len(rows)  # the cached_property's value
                return ListPage(rows, number, self, more=False)
            if len(rows) > self.per_page:  # a full page, and more: counted (capped), its rows kept
                return ListPage(rows[: self.per_page], number, self, more=True)
        return cast(ListPage, self.get_page(query.get("page")))


class ListPage(Page):
    """A page of a `DeferredJoinPaginator`: ``number`` is None on a page reached by id; ``next_query``
    and ``previous_query`` are the query parameters of the next and previous pages (None: none)."""

    def __init__(self, object_list: Any, number: int | None, paginator: DeferredJoinPaginator, *, more: bool,
                 earlier: bool | None = None):
        super().__init__(object_list, number, paginator)  # type: ignore[arg-type]  # None: reached by id
        self.more = more
        self.earlier = (number or 0) > 1 if earlier is None else earlier

    def has_next(self) -> bool:
        return self.more and bool(self.object_list)

    def has_previous(self) -> bool:
        return self.earlier

    @property
    def next_query(self) -> str | None:
        if not self.has_next():
            return None
        paginator = cast(DeferredJoinPaginator, self.paginator)
        if self.number is not None and (not paginator.keyset or self.number * paginator.per_page < SHALLOW):
            return f"page={self.number + 1}"
        return f"after={self.object_list[-1].pk}"

    @property
    def previous_query(self) -> str | None:
        if not self.has_previous():
            return None
        if self.number is not None:
            return f"page={self.number - 1}"
        if not self.object_list:
            return None
        return f"before={self.object_list[0].pk}"
