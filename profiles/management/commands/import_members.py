"""python manage.py import_members FILE [--dry-run] [--invite]"""

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tqdm import tqdm

from home.site_structure import ensure_site_structure
from profiles.importing import import_members
from profiles.invitations import send_invitation


class Command(BaseCommand):
    help = "Import members from JSON Lines or CSV (upsert by external_id; bad rows are reported)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate without writing.")
        parser.add_argument(
            "--invite",
            action="store_true",
            help="Email each newly created member a link to set their password.",
        )

    def handle(self, *args, file: Path, dry_run: bool, invite: bool, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        _home, directory = ensure_site_structure()
        started = time.monotonic()
        report, new_users = import_members(
            file,
            directory,
            dry_run=dry_run,
            progress_factory=lambda total: tqdm(
                total=total, unit="row", file=sys.stderr, disable=not sys.stderr.isatty()
            ),
        )
        elapsed = time.monotonic() - started
        for line_number, warning in report.warnings:
            self.stderr.write(self.style.WARNING(f"line {line_number}: {warning}"))
        for line_number, reason in report.errors:
            self.stderr.write(self.style.ERROR(f"line {line_number}: {reason}"))
        if invite and not dry_run:
            for user in new_users:
                send_invitation(user)
        prefix = "[dry run] would have " if dry_run else ""
        summary = (
            f"{prefix}created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, failed {len(report.errors)} "
            f"in {elapsed:.1f} s"
        )
        if invite and new_users and not dry_run:
            summary += f"; sent {len(new_users)} invitations"
        self.stdout.write(summary)
        if report.changed == 0 and not report.errors:
            self.stdout.write("No changes: every member is already up to date.")
        if report.errors:
            raise CommandError(f"{len(report.errors)} row(s) failed; the other rows were imported.")
