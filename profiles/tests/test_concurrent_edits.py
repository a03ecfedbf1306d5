"""Two tabs (or a tab and an admin) edit one profile: a stale save is caught, not lost."""

import html
import re

import pytest

from profiles.models import ProfilePage
from profiles.tests.helpers import edit_url, profile_form_data

pytestmark = pytest.mark.django_db

STALE_MESSAGE = "This profile was saved from another screen while you were editing it"


def load_form(client, profile: ProfilePage) -> str:
    """The base revision a freshly loaded edit form carries (what a browser tab would post)."""
    response = client.get(edit_url(profile))
    assert response.status_code == 200
    return base_revision_in(response.content.decode())


def base_revision_in(page: str) -> str:
    match = re.search(r'<input type="hidden" name="base_revision" value="(\d+)"', page)
    assert match, "the edit form carries no base revision"
    return match.group(1)


def stale_edit_section(page: str) -> str:
    match = re.search(r'<section class="stale-edit".*?</section>', page, re.S)
    assert match, "no side-by-side view of the two versions"
    return html.unescape(match.group(0))


def saved(profile: ProfilePage) -> ProfilePage:
    return ProfilePage.objects.get(pk=profile.pk).get_latest_revision_as_object()


def post_edit(client, profile: ProfilePage, base_revision: str, **changes):
    data = profile_form_data(profile, base_revision=base_revision, **changes)
    return client.post(edit_url(profile), data, HTTP_ACCEPT_LANGUAGE="en")


def test_second_tab_saving_an_older_version_gets_a_conflict_with_both_versions(
    member_client, member
):
    profile = member.profile
    tab_a = load_form(member_client, profile)
    tab_b = load_form(member_client, profile)
    assert post_edit(member_client, profile, tab_a, position="係長").status_code == 302

    response = post_edit(member_client, profile, tab_b, position="課長", bio_ja="河川の担当。")

    assert response.status_code == 409
    page = response.content.decode()
    assert STALE_MESSAGE in html.unescape(page)
    assert saved(profile).position == "係長"
    section = stale_edit_section(page)
    assert "係長" in section and "課長" in section
    assert "河川の担当。" in section
    # What tab B typed is still in the form, ready to be saved again.
    assert 'value="課長"' in page


def test_saving_again_from_the_conflict_page_keeps_the_members_version(member_client, member):
    profile = member.profile
    tab_a = load_form(member_client, profile)
    tab_b = load_form(member_client, profile)
    post_edit(member_client, profile, tab_a, position="係長")
    conflict = post_edit(member_client, profile, tab_b, position="課長")
    assert conflict.status_code == 409

    again = base_revision_in(conflict.content.decode())
    response = post_edit(member_client, profile, again, position="課長")

    assert response.status_code == 302
    assert saved(profile).position == "課長"


def test_save_based_on_the_latest_revision_goes_through(member_client, member):
    profile = member.profile
    first = load_form(member_client, profile)
    assert post_edit(member_client, profile, first, position="係長").status_code == 302

    profile = saved(profile)
    latest = load_form(member_client, profile)
    assert latest == str(profile.latest_revision_id)
    response = post_edit(member_client, profile, latest, years_of_service="13")

    assert response.status_code == 302
    assert saved(profile).years_of_service == 13
    assert saved(profile).position == "係長"


def test_a_save_made_elsewhere_meanwhile_is_detected(member_client, member):
    profile = member.profile
    tab = load_form(member_client, profile)
    elsewhere = profile.get_latest_revision_as_object()
    elsewhere.bio_ja = "管理者が更新した紹介文。"
    elsewhere.save_revision().publish()

    response = post_edit(member_client, profile, tab, bio_ja="自分で書いた紹介文。")

    assert response.status_code == 409
    assert saved(profile).bio_ja == "管理者が更新した紹介文。"
    section = stale_edit_section(response.content.decode())
    assert "管理者が更新した紹介文。" in section and "自分で書いた紹介文。" in section
