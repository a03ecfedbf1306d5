"""python manage.py import_exchange_records FILE.csv [--dry-run]"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from home.site_structure import ensure_site_structure
from studyabroad.demo import ensure_report_index
from studyabroad.report_importing import import_exchange_records


class Command(BaseCommand):
    help = "Import exchange records (CSV) as exchange reports, upserted by record_id."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate without writing.")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        home, _directory = ensure_site_structure()
        report = import_exchange_records(
            file,
            ensure_report_index(home),
            dry_run=dry_run,
            progress_factory=lambda total: tqdm(
                total=total, unit="row", file=sys.stderr, disable=not sys.stderr.isatty()
            ),
        )
        for line_number, reason in report.errors:
            self.stderr.write(self.style.ERROR(f"line {line_number}: {reason}"))
        prefix = "[dry run] would have " if dry_run else ""
        self.stdout.write(
            f"{prefix}created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, failed {len(report.errors)}"
        )
        if report.changed == 0 and not report.errors:
            self.stdout.write("No changes: every report is already up to date.")
        if report.errors:
            raise CommandError(f"{len(report.errors)} row(s) failed; the other rows were imported.")
