"""`manage.py reconcile_indexes`: compare the member index and site search with the database
once, repair them, and print what was done (the worker does this every 20 s)."""

from django.core.management.base import BaseCommand, CommandError

from search.reconciliation import reconcile_all


class Command(BaseCommand):
    help = "Compare the search indexes with the database and repair them."

    def handle(self, *args, **options):
        repairs = reconcile_all()
        for repair in repairs:
            line = (
                f"{repair.index}: {repair.documents} documents, {repair.written} written, "
                f"{repair.removed} removed"
            )
            self.stdout.write(line + (f" — not done: {repair.error}" if repair.error else ""))
        if any(repair.error for repair in repairs):
            raise CommandError("Some indexes could not be reconciled; see above.")
