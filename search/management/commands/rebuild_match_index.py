"""python manage.py rebuild_match_index — recompute evidence and rebuild the engine's member index.

The engine index is filled under a new name and the alias swapped at the end, so matching keeps
answering from the old index during the rebuild.
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from profiles.models import ProfilePage
from search.backends import get_engine_index
from search.database_matching import reset_index
from search.sync import SYNC_CHUNK, profiles_with_evidence_relations, store_evidence


class Command(BaseCommand):
    help = "Recompute every member's matching evidence and rebuild the OpenSearch member index."

    def handle(self, *args, **options):
        live = profiles_with_evidence_relations().filter(live=True)
        total = live.count()
        with tqdm(
            total=total, desc="evidence", file=sys.stderr, disable=not sys.stderr.isatty()
        ) as bar:
            chunk = []
            for page in live.iterator(chunk_size=SYNC_CHUNK):
                chunk.append(page)
                if len(chunk) == SYNC_CHUNK:
                    store_evidence(chunk)
                    bar.update(len(chunk))
                    chunk = []
            store_evidence(chunk)
            bar.update(len(chunk))
        # Profiles no longer live lose their evidence.
        from search.models import MemberEvidence

        MemberEvidence.objects.exclude(profile__in=ProfilePage.objects.live()).delete()
        reset_index()
        self.stdout.write(f"Evidence recomputed for {total} members.")
        engine = get_engine_index()
        if engine is None:
            self.stdout.write("No SEARCH_URL: the database matcher reads the evidence directly.")
            return
        with tqdm(
            total=total, desc="index", file=sys.stderr, disable=not sys.stderr.isatty()
        ) as bar:
            try:
                name = engine.rebuild(progress=bar.update)
            except Exception as error:
                raise CommandError(f"OpenSearch rebuild failed: {error}") from error
        self.stdout.write(f"Member index rebuilt as {name}; alias {engine.alias} now points to it.")
