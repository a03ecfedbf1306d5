"""What every import command shares: the file check, a progress bar on a terminal, the
summary line, line-numbered errors and a non-zero exit when any row failed."""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from .importing import ImportReport


class ImportCommand(BaseCommand):
    """Subclasses set `noun` (for the summary) and implement `run_import`."""

    noun = "row"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate without writing.")

    def run_import(self, file: Path, dry_run: bool, progress_factory, **options) -> ImportReport:
        raise NotImplementedError

    def after_import(self, report: ImportReport, dry_run: bool, **options) -> str:
        """Anything to do once the rows are in; returns text for the summary line."""
        return ""

    def handle(self, *args, file: Path, dry_run: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        started = time.monotonic()
        report = self.run_import(
            file,
            dry_run,
            lambda total: tqdm(
                total=total, unit="row", file=sys.stderr, disable=not sys.stderr.isatty()
            ),
            **options,
        )
        elapsed = time.monotonic() - started
        for line_number, warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"line {line_number}: {warning}"))
        for line_number, reason in report.errors:
            self.stderr.write(self.style.ERROR(f"line {line_number}: {reason}"))
        extra = self.after_import(report, dry_run, **options)
        prefix = "[dry run] would have " if dry_run else ""
        self.stdout.write(
            f"{prefix}created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, failed {len(report.errors)} in {elapsed:.1f} s{extra}"
        )
        if report.changed == 0 and not report.errors:
            self.stdout.write(f"No changes: every {self.noun} is already up to date.")
        if report.errors:
            raise CommandError(f"{len(report.errors)} row(s) failed; the other rows were imported.")
