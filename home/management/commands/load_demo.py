"""python manage.py load_demo: the page tree, demo accounts and a few dozen sample members."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from allauth.account.models import EmailAddress

from community.demo import ensure_community
from home.site_structure import ensure_site_structure
from profiles.importing import import_members
from profiles.models import User
from profiles.signal_handlers import MANAGERS_GROUP, PROGRAMME_ADMINS_GROUP
from studyabroad.demo import (
    ensure_catalogue,
    ensure_dispatch_programme,
    ensure_report_index,
    load_demo_destinations,
)

DEMO_MEMBERS_FILE = (
    Path(__file__).resolve().parents[3] / "profiles" / "fixtures" / "demo_members.jsonl"
)

# Demo accounts get new random passwords on every run, printed at the end: no password of
# this site is ever published. The command refuses to run unless settings allow demo data.
DEMO_ACCOUNTS = [
    # email, superuser, group
    ("admin@example.jp", True, PROGRAMME_ADMINS_GROUP),
    ("manager@example.jp", False, MANAGERS_GROUP),
    ("member@example.jp", False, None),
]


class Command(BaseCommand):
    help = "Build the demo site: pages, demo accounts and sample members (safe to re-run)."

    def handle(self, *args, **options):
        if not getattr(settings, "DEMO_DATA_ALLOWED", False):
            raise CommandError(
                "load_demo はデモ用です（管理者アカウントを作成します）。開発用の設定"
                "（talenthub.settings.dev）で実行してください。 / load_demo is for development "
                "only (it creates admin accounts); run it with talenthub.settings.dev."
            )
        home, directory = ensure_site_structure()
        report, _users = import_members(DEMO_MEMBERS_FILE, directory)
        self.stdout.write(
            f"Demo members: created {report.created}, updated {report.updated}, "
            f"unchanged {report.unchanged}, failed {len(report.errors)}"
        )
        destinations = load_demo_destinations(ensure_catalogue(home))
        ensure_community(home)
        ensure_report_index(home)
        ensure_dispatch_programme(home)
        self.stdout.write(f"Sample study destinations: {destinations}")
        passwords = {}
        with transaction.atomic():
            for email, superuser, group_name in DEMO_ACCOUNTS:
                passwords[email] = secrets.token_urlsafe(12)
                self._demo_account(email, passwords[email], superuser, group_name)
        site_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"\nDemo site ready at {site_url}/"))
        for email, superuser, _group in DEMO_ACCOUNTS:
            role = "admin" if superuser else email.split("@")[0]
            self.stdout.write(f"  {role:8} {email:22} password: {passwords[email]}")

    def _demo_account(self, email: str, password: str, superuser: bool, group_name: str | None):
        user = User.objects.filter(email=email).first() or User(email=email)
        user.is_staff = user.is_superuser = superuser
        user.set_password(password)
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))
