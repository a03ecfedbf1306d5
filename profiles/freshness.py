"""How current profiles are: who has not confirmed theirs for a year, reminders by email, and
the stale-profile report for programme admins."""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import DateField, Exists, OuterRef, Q
from django.db.models.functions import Cast, Coalesce
from django.template.loader import render_to_string
from django.utils import translation

from talenthub import clock

from .models import ProfilePage, ProfileReminder

STALE_AFTER = datetime.timedelta(days=365)
REMIND_AT_MOST_EVERY = datetime.timedelta(days=30)


def with_last_confirmed(queryset):
    """Annotate `last_confirmed`: the confirmation date, or the first publication for a
    profile never confirmed (an import counts as current on the day it arrived)."""
    return queryset.annotate(
        last_confirmed=Coalesce(
            "confirmed_at", Cast("first_published_at", DateField()), output_field=DateField()
        )
    )


def stale_profiles(today: datetime.date | None = None):
    """Live profiles not confirmed for twelve months."""
    today = today or clock.today()
    return with_last_confirmed(ProfilePage.objects.live()).filter(
        last_confirmed__lt=today - STALE_AFTER
    )


def due_for_reminder(now: datetime.datetime | None = None):
    """Stale profiles of active members who had no reminder in the last month."""
    now = now or clock.now()
    recent = ProfileReminder.objects.filter(
        profile=OuterRef("pk"), sent_at__gt=now - REMIND_AT_MOST_EVERY
    )
    return (
        stale_profiles(clock.local_date(now))
        .filter(user__is_active=True)
        .exclude(Q(user__email="") | Q(user__isnull=True))
        .filter(~Exists(recent))
        .select_related("user")
        .order_by("pk")
    )


def edit_url() -> str:
    from .models import ProfileIndexPage

    directory = ProfileIndexPage.objects.live().first()
    path = directory.url + directory.reverse_subpage("edit_my_profile") if directory else "/"
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


@dataclass
class ReminderRun:
    sent: int = 0
    failed: int = 0


def send_reminders(now: datetime.datetime | None = None, dry_run: bool = False) -> ReminderRun:
    """Email every member due a reminder, each logged so the next run skips them for a month.

    A failed email is not logged, so that member is tried again on the next run."""
    now = now or clock.now()
    run = ReminderRun()
    url = edit_url()
    for profile in due_for_reminder(now):
        if dry_run:
            run.sent += 1
            continue
        with translation.override("ja"):
            context = {"profile": profile, "url": url, "last_confirmed": profile.last_confirmed}
            subject = render_to_string("profiles/email/reminder_subject.txt", context).strip()
            body = render_to_string("profiles/email/reminder_message.txt", context)
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [profile.user.email])
        except OSError:
            run.failed += 1
            continue
        ProfileReminder.objects.create(profile=profile, email=profile.user.email, sent_at=now)
        run.sent += 1
    return run


@dataclass
class BureauFreshness:
    bureau: str
    total: int
    stale: int

    @property
    def stale_share(self) -> float:
        return self.stale / self.total if self.total else 0.0


def freshness_by_bureau(today: datetime.date | None = None) -> list[BureauFreshness]:
    """Per bureau: live profiles and how many are stale, the stalest bureaus first."""
    no_bureau = "—"
    totals = Counter(
        name or no_bureau
        for name in ProfilePage.objects.live().values_list("bureau__name_ja", flat=True)
    )
    stale = Counter(
        name or no_bureau
        for name in stale_profiles(today).values_list("bureau__name_ja", flat=True)
    )
    rows = [BureauFreshness(bureau, total, stale[bureau]) for bureau, total in totals.items()]
    return sorted(rows, key=lambda row: (-row.stale_share, row.bureau))
