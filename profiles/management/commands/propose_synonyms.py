"""Mine the members' profiles for synonym candidates of expertise tags (for cron, e.g. weekly)."""

import time

from django.core.management.base import BaseCommand

from profiles.synonym_proposals import refresh_proposals


class Command(BaseCommand):
    help = (
        "Propose synonyms for expertise tags from the members' tags and biographies; "
        "curators accept or reject them under Synonym proposals in the admin."
    )

    def handle(self, *args, **options):
        started = time.perf_counter()
        result = refresh_proposals()
        self.stdout.write(
            f"Synonym candidates found: {result.found}; new: {result.new}; "
            f"updated: {result.updated}; no longer supported: {result.removed}; "
            f"decisions kept: {result.kept} ({time.perf_counter() - started:.1f} s)."
        )
