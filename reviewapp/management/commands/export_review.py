"""Write a review's archive (reviewapp/archive/FORMAT.md) to a file: what a lead downloads from the review's page."""
from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from reviewapp.archive.services import review_archive_write
from reviewapp.models import Review


class Command(BaseCommand):
    help = "Write the archive of a review (a ZIP: JSON of every object, the per-stage CSVs, the uploaded files)."

    def add_arguments(self, parser):
        parser.add_argument("--review", type=int, required=True, help="the review's id")
        parser.add_argument("archive", help="the ZIP file to write")

    def handle(self, *args, review: int, archive: str, **options):
        found = Review.objects.filter(pk=review).first()
        if found is None:
            raise CommandError(f"No review with id {review}.")
        started = time.perf_counter()
        with open(archive, "wb") as out:
            manifest = review_archive_write(review=found, out=out)
        objects = sum(manifest["counts"].values())
        self.stdout.write(f"Wrote {archive}: review “{found.title}”, {objects:,} objects "
                          f"in {time.perf_counter() - started:.1f} s.")
