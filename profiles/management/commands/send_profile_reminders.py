"""Email members whose profile has not been confirmed for 12 months (for cron, e.g. daily)."""

from django.core.management.base import BaseCommand

from profiles.freshness import send_reminders


class Command(BaseCommand):
    help = (
        "Email members whose profile has not been confirmed for 12 months, "
        "at most once a month each, with a link to the edit form."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count who would get a reminder; send nothing."
        )

    def handle(self, *args, dry_run: bool = False, **options):
        run = send_reminders(dry_run=dry_run)
        verb = "would be sent" if dry_run else "sent"
        self.stdout.write(f"Reminders {verb}: {run.sent}; failed: {run.failed}.")
        if run.failed:
            self.stderr.write("Failed reminders are retried on the next run.")
