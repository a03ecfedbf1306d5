"""python manage.py load_demo: the page tree, demo accounts and a few dozen sample members."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
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

# Known demo credentials, printed at the end; the demo runs on loopback only.
DEMO_ACCOUNTS = [
    # email, password, superuser, group
    ("admin@example.jp", "talenthub-admin", True, PROGRAMME_ADMINS_GROUP),
    ("manager@example.jp", "talenthub-manager", False, MANAGERS_GROUP),
    ("member@example.jp", "talenthub-member", False, None),
]


class Command(BaseCommand):
    help = "Build the demo site: pages, demo accounts and sample members (safe to re-run)."

    def handle(self, *args, **options):
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
        with transaction.atomic():
            for email, password, superuser, group_name in DEMO_ACCOUNTS:
                self._demo_account(email, password, superuser, group_name)
        site_url = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
        self.stdout.write(self.style.SUCCESS(f"\nDemo site ready at {site_url}/"))
        for email, password, superuser, _group in DEMO_ACCOUNTS:
            role = "admin" if superuser else email.split("@")[0]
            self.stdout.write(f"  {role:8} {email:22} password: {password}")

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
