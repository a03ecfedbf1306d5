"""python manage.py import_exchange_records FILE.csv [--dry-run]"""

from home.site_structure import ensure_site_structure
from profiles.import_command import ImportCommand
from studyabroad.demo import ensure_report_index
from studyabroad.report_importing import import_exchange_records


class Command(ImportCommand):
    help = "Import exchange records (CSV) as exchange reports, upserted by record_id."
    noun = "report"

    def run_import(self, file, dry_run, progress_factory, **options):
        home, _directory = ensure_site_structure()
        return import_exchange_records(
            file, ensure_report_index(home), dry_run=dry_run, progress_factory=progress_factory
        )
