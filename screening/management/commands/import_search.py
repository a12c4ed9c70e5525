"""Import an export file into a review's search from the command line (runs at once, not queued)."""
from __future__ import annotations

import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviewapp.exceptions import ApplicationError
from reviewapp.models import Review
from screening import services
from screening.importers import FORMATS
from screening.models import Search, SearchFile


class Command(BaseCommand):
    help = ("Import a search export (RIS, MEDLINE, WoS, EndNote, BibTeX, CSV, ...) into a search of a review; "
            "give --search for an existing search, or --database (and --query, --date-run, ...) for a new one.")

    def add_arguments(self, parser):
        parser.add_argument("review_id", type=int)
        parser.add_argument("path", type=Path)
        parser.add_argument("--search", type=int, help="id of an existing search of the review")
        parser.add_argument("--database", help="database name of a new search, e.g. MEDLINE")
        parser.add_argument("--platform", default="")
        parser.add_argument("--date-run", type=datetime.date.fromisoformat, default=None,
                            help="YYYY-MM-DD; default today")
        parser.add_argument("--query", default="", help="the full query string of a new search")
        parser.add_argument("--limits", default="")
        parser.add_argument("--reported-hits", type=int, default=None)
        parser.add_argument("--format", choices=sorted(FORMATS), default="", help="default: detect")
        parser.add_argument("--user", help="username recorded as the importer (default: the review's creator)")

    def handle(self, *args, **opts):
        review = Review.objects.filter(pk=opts["review_id"]).first()
        if review is None:
            raise CommandError(f"No review with id {opts['review_id']}.")
        path: Path = opts["path"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        actor = review.created_by
        if opts["user"]:
            actor = get_user_model().objects.filter(username=opts["user"]).first()
            if actor is None:
                raise CommandError(f"No user {opts['user']!r}.")
        if opts["search"]:
            search = Search.objects.filter(pk=opts["search"], review=review).first()
            if search is None:
                raise CommandError(f"Review {review.pk} has no search {opts['search']}.")
        elif opts["database"]:
            search = services.search_create(
                actor=actor, review=review, database=opts["database"], platform=opts["platform"],
                date_run=opts["date_run"] or datetime.date.today(), query=opts["query"] or "(not recorded)",
                limits=opts["limits"], reported_hits=opts["reported_hits"])
        else:
            raise CommandError("Give --search ID or --database NAME.")
        try:
            with path.open("rb") as handle:
                search_file = services.search_file_create(actor=actor, search=search, upload=handle,
                                                          filename=path.name, requested_format=opts["format"],
                                                          enqueue=False)
        except ApplicationError as exc:
            raise CommandError(exc.message) from None
        search_file = services.search_file_import(search_file_id=search_file.pk)
        if search_file.status != SearchFile.Status.DONE:
            raise CommandError(search_file.error)
        self.stdout.write(self.style.SUCCESS(
            f"{search_file.records_imported} records imported into search {search.pk} ({search.database}); "
            f"{search_file.duplicates_merged} merged as duplicates, {search_file.duplicates_possible} possible "
            "duplicate pairs queued."))
        for row in search_file.warnings:
            examples = "; ".join(f"line {e['line']}: {e['value']!r}" if e.get("line") else repr(e["value"])
                                 for e in row["examples"])
            self.stdout.write(self.style.WARNING(f"  {row['field']}: {row['count']} x {row['message']} ({examples})"))
