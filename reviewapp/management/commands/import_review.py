"""Make a new review from an archive written by export_review or downloaded from a review's page."""
from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from reviewapp.archive.services import review_archive_import
from reviewapp.exceptions import ApplicationError


class Command(BaseCommand):
    help = ("Import a review archive into a new review (all or nothing). People are matched by username; "
            "those this site lacks are created inactive, without a usable password.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive (ZIP) to import")
        parser.add_argument("--owner", help="username of an existing account that becomes a lead of the new review")

    def handle(self, *args, archive: str, owner: str | None = None, **options):
        user = None
        if owner:
            user_model = get_user_model()
            user = user_model.objects.filter(**{user_model.USERNAME_FIELD: owner}).first()
            if user is None:
                raise CommandError(f"No account with the username {owner!r}.")
        started = time.perf_counter()
        try:
            with open(archive, "rb") as source:
                review = review_archive_import(source=source, actor=user, owner=user)
        except FileNotFoundError:
            raise CommandError(f"No such file: {archive}") from None
        except ApplicationError as exc:
            raise CommandError(f"Nothing was imported: {exc.message}") from None
        self.stdout.write(f"Imported “{review.title}” as review {review.pk} "
                          f"in {time.perf_counter() - started:.1f} s.")
