"""Send again the background tasks a stopped worker left queued or running (see reviewapp.background)."""
from django.core.management.base import BaseCommand

from reviewapp.background import resume_interrupted


class Command(BaseCommand):
    help = "Send again the imports, retrainings and analysis runs that a stopped worker left unfinished."

    def handle(self, *args, **options):
        sent = resume_interrupted()
        self.stdout.write("; ".join(sent) + "." if sent else "Nothing was left unfinished.")
