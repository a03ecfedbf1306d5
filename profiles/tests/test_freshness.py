"""Fresh profiles: who is reminded, how often, the stale report, and evidence age in reasons."""

import datetime

from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.utils import timezone

import pytest
import time_machine

from profiles.freshness import send_reminders
from profiles.models import ProfilePage, ProfileReminder
from profiles.tests.factories import ProfilePageFactory, UserFactory
from profiles.tests.privacy_fixtures import publish_with_evidence

pytestmark = pytest.mark.django_db

NOW = timezone.make_aware(datetime.datetime(2026, 11, 25, 9, 0))
TODAY = NOW.date()


@pytest.fixture(
    autouse=True, params=[0, 365, 3 * 365], ids=["today", "a year on", "three years on"]
)
def wall_clock_moved_ahead(request):
    """Every test runs with the machine's clock as it is, a year ahead and three years ahead:
    the dates the tests fix (NOW) must decide the outcome, never the day the suite runs."""
    with time_machine.travel(datetime.timedelta(days=request.param), tick=True):
        yield


def site_clock_at(moment: datetime.datetime):
    """Set the site's clock (talenthub.clock) for code that reads it rather than taking `now`."""
    return time_machine.travel(moment, tick=False)


def profile(directory, external_id, *, confirmed=None, published=None, **extra) -> ProfilePage:
    page = ProfilePageFactory(parent=directory, external_id=external_id, **extra)
    publish_with_evidence(page)
    ProfilePage.objects.filter(pk=page.pk).update(
        confirmed_at=confirmed, first_published_at=published or NOW
    )
    return ProfilePage.objects.get(pk=page.pk)


@pytest.fixture
def profiles(directory):
    a_year_and_more = TODAY - datetime.timedelta(days=400)
    return {
        "stale": profile(directory, "F00001", confirmed=a_year_and_more),
        "fresh": profile(directory, "F00002", confirmed=TODAY - datetime.timedelta(days=300)),
        "never_confirmed_old_import": profile(
            directory, "F00003", published=NOW - datetime.timedelta(days=500)
        ),
        "never_confirmed_new_import": profile(directory, "F00004"),
        "inactive": profile(
            directory, "F00005", confirmed=a_year_and_more, user=UserFactory(is_active=False)
        ),
    }


def test_reminders_go_to_members_unconfirmed_for_a_year(profiles, mailoutbox, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://talenthub.example.jp"

    run = send_reminders(now=NOW)

    assert run.sent == 2
    recipients = sorted(mail.to[0] for mail in mailoutbox)
    assert recipients == sorted(
        [profiles["stale"].user.email, profiles["never_confirmed_old_import"].user.email]
    )
    body = mailoutbox[0].body
    assert "https://talenthub.example.jp/members/me/edit/" in body
    assert "プロフィールの確認" in mailoutbox[0].subject and "Please check" in mailoutbox[0].subject


def test_no_member_gets_two_reminders_in_a_month(profiles, mailoutbox):
    send_reminders(now=NOW)
    send_reminders(now=NOW + datetime.timedelta(hours=1))
    send_reminders(now=NOW + datetime.timedelta(days=29))
    assert len(mailoutbox) == 2

    send_reminders(now=NOW + datetime.timedelta(days=31))
    assert len(mailoutbox) == 4
    per_profile = ProfileReminder.objects.filter(profile=profiles["stale"]).count()
    assert per_profile == 2


def test_confirming_stops_the_reminders(profiles, mailoutbox):
    ProfilePage.objects.filter(pk=profiles["stale"].pk).update(confirmed_at=TODAY)

    send_reminders(now=NOW + datetime.timedelta(days=1))

    assert profiles["stale"].user.email not in [mail.to[0] for mail in mailoutbox]


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failed_email_is_retried_on_the_next_run(profiles, settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    failed = send_reminders(now=NOW)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    retried = send_reminders(now=NOW + datetime.timedelta(hours=1))

    assert (failed.sent, failed.failed) == (0, 2)
    assert retried.sent == 2 and len(mailoutbox) == 2


def test_command_dry_run_sends_nothing(profiles, mailoutbox, capsys):
    with site_clock_at(NOW):
        call_command("send_profile_reminders", "--dry-run")

    assert "would be sent: 2" in capsys.readouterr().out
    assert mailoutbox == [] and not ProfileReminder.objects.exists()


def test_stale_report_by_bureau_for_programme_admins(client, profiles):
    admin = UserFactory(groups=["Programme admins"])
    client.force_login(UserFactory())
    refused = client.get("/admin/profiles/stale/")
    # A member has no admin access: Wagtail sends them to the sign-in page.
    assert refused.status_code == 302
    assert refused["Location"] == "/accounts/login/?next=/admin/profiles/stale/"

    client.force_login(admin)
    with site_clock_at(NOW):
        response = client.get("/admin/profiles/stale/", HTTP_ACCEPT_LANGUAGE="en")

    construction = next(row for row in response.context["bureaus"] if row.bureau == "建設局")
    assert (construction.total, construction.stale) == (5, 3)  # the inactive member counts
    listed = {p.external_id for p in response.context["profiles"]}
    assert listed == {"F00001", "F00003", "F00005"}


def test_reasons_say_how_old_the_evidence_is(client, directory):
    confirmed = profile(
        directory, "F00010", confirmed=datetime.date(2026, 4, 2), bio_en="", bio_ja=""
    )
    confirmed.tags.set(["下水道管きょ更生"])
    publish_with_evidence(confirmed)
    ProfilePage.objects.filter(pk=confirmed.pk).update(confirmed_at=datetime.date(2026, 4, 2))
    from search.sync import sync_profiles

    sync_profiles([confirmed.pk])
    client.force_login(UserFactory())

    result = client.post(
        "/api/v1/match/",
        {"text": "sewer rehabilitation"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()["results"][0]

    assert result["external_id"] == "F00010"
    assert any("(confirmed 2026-04)" in reason for reason in result["reasons"])
