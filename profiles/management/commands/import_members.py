"""python manage.py import_members FILE [--dry-run] [--invite]"""

from home.site_structure import ensure_site_structure
from profiles.import_command import ImportCommand
from profiles.importing import import_members
from profiles.invitations import send_invitation


class Command(ImportCommand):
    help = "Import members from JSON Lines or CSV (upsert by external_id; bad rows are reported)."
    noun = "member"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--invite",
            action="store_true",
            help="Email each newly created member a link to set their password.",
        )

    def run_import(self, file, dry_run, progress_factory, **options):
        _home, directory = ensure_site_structure()
        report, self.new_users = import_members(
            file, directory, dry_run=dry_run, progress_factory=progress_factory
        )
        return report

    def after_import(self, report, dry_run, invite=False, **options):
        if not invite or dry_run or not self.new_users:
            return ""
        for user in self.new_users:
            send_invitation(user)
        return f"; sent {len(self.new_users)} invitations"
