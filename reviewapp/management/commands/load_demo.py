"""Create (or bring up to date) the demo review and its people. Safe to run twice."""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from reviewapp import services
from reviewapp.demo import DEMO_OUTCOMES, DEMO_PASSWORD, DEMO_PROTOCOL, DEMO_TITLE, DEMO_USERS
from reviewapp.extensions import declared
from reviewapp.models import Membership, Review


def stage_loaders() -> list[str]:
    """Later stages add their synthetic data through the loaders their AppConfig names
    (``demo_loaders``, reviewapp/extensions.py); each is idempotent, as this command is."""
    return declared("demo_loaders")


class Command(BaseCommand):
    help = "Create the demo review (synthetic data) and its demo accounts; running it again changes nothing."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = self._users()
            review = self._review(users["lead"])
            for username, (_, roles) in DEMO_USERS.items():
                if username == "lead":
                    continue
                have = set(Membership.objects.filter(review=review, user=users[username])
                           .values_list("role", flat=True))
                if have != set(roles):
                    services.member_roles_set(actor=users["lead"], review=review,
                                              user=users[username], roles=roles)
            for name, direction, note in DEMO_OUTCOMES:
                if not review.outcomes.filter(name=name).exists():
                    services.outcome_create(actor=users["lead"], review=review, name=name,
                                            direction=direction, note=note)
        for dotted in stage_loaders():
            import_string(dotted)(review=review, lead=users["lead"])
        self.stdout.write(self.style.SUCCESS(f"Demo review ready: “{review.title}” (id {review.pk})."))
        self.stdout.write("Demo logins (password for all: {}): {}".format(
            DEMO_PASSWORD, ", ".join(f"{u} ({', '.join(r)})" for u, (_, r) in DEMO_USERS.items())))

    def _users(self) -> dict:
        User = get_user_model()
        users = {}
        for username, (full_name, _) in DEMO_USERS.items():
            first, last = full_name.split(" ", 1)
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid"},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            users[username] = user
        return users

    def _review(self, lead) -> Review:
        review = Review.objects.filter(is_demo=True, title=DEMO_TITLE).first()
        if review is None:
            review = services.review_create(creator=lead, title=DEMO_TITLE, is_demo=True, **DEMO_PROTOCOL)
        return review
