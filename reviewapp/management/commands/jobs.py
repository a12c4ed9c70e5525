"""List the background jobs: how many of each kind in each state, then every unfinished one by age,
with those running or waiting far longer than any job takes flagged STUCK (reviewapp.jobs)."""
from django.core.management.base import BaseCommand

from reviewapp.jobs import jobs_counts, jobs_unfinished


def _age(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{seconds:02d}s"


class Command(BaseCommand):
    help = "List background jobs by state and age; stuck ones are flagged (see also resume_background_work)."

    def handle(self, *args, **options):
        for kind, counts in jobs_counts().items():
            states = ", ".join(f"{status} {n}" for status, n in sorted(counts.items())) or "none"
            self.stdout.write(f"{kind}: {states}")
        rows = jobs_unfinished()
        if not rows:
            self.stdout.write("No job is queued or running.")
            return
        self.stdout.write("Unfinished, oldest first:")
        for row in rows:
            flag = "  STUCK" if row.stuck else ""
            self.stdout.write(f"  {row.kind} #{row.pk}: {row.status} for {_age(row.age.total_seconds())}, "
                              f"attempts {row.attempts}{', on ' + row.claimed_by if row.claimed_by else ''}{flag}")
        if any(row.stuck for row in rows):
            self.stdout.write("Stuck jobs: is the worker running? `manage.py resume_background_work` sends them again.")
