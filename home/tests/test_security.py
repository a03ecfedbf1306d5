"""What the site as a whole promises about trust, read as a list:

- every page carries a Content-Security-Policy that allows scripts, images and styles from the
  site only, and no page of ours runs an inline script;
- demo accounts never come with a published password, and demo data never reaches production.
"""

import io
import re

from django.core.management import CommandError, call_command

import pytest

from profiles.models import User
from profiles.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = ["/", "/members/", "/members/me/edit/", "/destinations/", "/search/?query=x"]


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_pages_allow_only_the_sites_own_scripts(member_client, catalogue, url):
    response = member_client.get(url)

    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["object-src"] == ["'none'"]


@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_no_page_of_ours_has_an_inline_script(member_client, catalogue, url):
    """Every <script> loads a file of the site (JSON data blocks are not run)."""
    body = member_client.get(url).content.decode()

    for tag in re.findall(r"<script\b[^>]*>", body):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag


def test_the_sign_in_page_has_the_policy_too(client):
    response = client.get("/accounts/login/")

    assert policy(response)["script-src"] == ["'self'"]


def test_only_the_wagtail_admin_may_run_its_inline_scripts(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get("/admin/")

    assert "'unsafe-inline'" in policy(response)["script-src"]


def test_demo_passwords_are_new_on_every_run_and_never_published():
    first, second = io.StringIO(), io.StringIO()
    call_command("load_demo", stdout=first)
    call_command("load_demo", stdout=second)

    pattern = r"admin@example.jp\s+password: (\S+)"
    old, new = re.search(pattern, first.getvalue())[1], re.search(pattern, second.getvalue())[1]
    admin = User.objects.get(email="admin@example.jp")
    assert old != new and len(new) >= 16
    assert admin.check_password(new) and not admin.check_password("talenthub-admin")


def test_demo_data_is_refused_under_production_settings(settings):
    settings.DEMO_DATA_ALLOWED = False  # as in talenthub.settings.production

    with pytest.raises(CommandError, match="load_demo"):
        call_command("load_demo", stdout=io.StringIO())

    assert not User.objects.filter(email="admin@example.jp").exists()


def test_an_oversized_post_is_refused_before_any_view_reads_it(member_client, member):
    """A 2.4 MB form body gets a 400 page in the member's language; nothing is saved."""
    profile = member.profile
    before = profile.bio_en

    response = member_client.post(
        "/members/me/edit/", {"name_ja": profile.name_ja, "bio_en": "x" * 2_400_000}
    )

    assert response.status_code == 400
    assert "送信された内容が大きすぎるか" in response.content.decode()
    profile.refresh_from_db()
    assert profile.bio_en == before
