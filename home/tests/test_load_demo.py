"""load_demo builds a usable demo site and can be run again safely."""

import io
import re

from django.core.management import call_command

import pytest

from profiles.models import ProfilePage, User
from studyabroad.models import StudyDestinationPage

pytestmark = pytest.mark.django_db


def test_load_demo_twice(client):
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    call_command("load_demo", stdout=out)

    assert ProfilePage.objects.live().count() == 40
    assert StudyDestinationPage.objects.live().filter(is_sample_data=True).count() == 30
    assert all(d.upcoming_deadlines() for d in StudyDestinationPage.objects.all())
    member = User.objects.get(email="member@example.jp")
    printed = re.findall(r"member@example.jp\s+password: (\S+)", out.getvalue())
    assert len(printed) == 2 and printed[0] != printed[1]  # a new password on every run
    assert member.check_password(printed[-1]) and member.profile.live
    assert not member.check_password(printed[0])
    assert client.login(email="member@example.jp", password=printed[-1])
    assert client.get("/").status_code == 200
    assert client.get("/destinations/").status_code == 200
    assert "member@example.jp" in out.getvalue()
