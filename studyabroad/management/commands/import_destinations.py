"""python manage.py import_destinations FILE.csv [--dry-run]"""

from home.site_structure import ensure_site_structure
from profiles.import_command import ImportCommand
from studyabroad.demo import ensure_catalogue
from studyabroad.importing import import_destinations


class Command(ImportCommand):
    help = "Import study destinations from CSV or JSON Lines (upsert by destination_key)."
    noun = "destination"

    def run_import(self, file, dry_run, progress_factory, **options):
        home, _directory = ensure_site_structure()
        return import_destinations(
            file, ensure_catalogue(home), dry_run=dry_run, progress_factory=progress_factory
        )
