"""Who may see and change what: the members-only site and profile ownership."""

import pytest

from profiles.models import ProfilePage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/members/", "/search/?query=橋梁", "/admin/"])
def test_anonymous_visitor_is_sent_to_sign_in(client, directory, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_profile_page_is_members_only(client, member):
    profile = member.profile

    assert client.get(profile.url).status_code == 302
    client.force_login(member)
    assert client.get(profile.url).status_code == 200


@pytest.mark.parametrize(
    "path", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_sign_in_pages_are_public(client, db, path):
    assert client.get(path).status_code == 200


def test_static_files_are_public(client, db):
    response = client.get("/static/css/talenthub.css")

    assert response.status_code == 200


def test_editing_someone_elses_profile_is_forbidden_and_changes_nothing(
    member_client, other_member
):
    other = other_member.profile
    url = f"{other.get_parent().url}{other.pk}/edit/"

    get_response = member_client.get(url)
    post_response = member_client.post(url, {"name_ja": "乗っ取り", "name_en": "Hijack"})

    assert get_response.status_code == 403
    assert post_response.status_code == 403
    other = ProfilePage.objects.get(pk=other.pk)
    assert other.name_ja == "鈴木 花子"
    assert other.revisions.count() == 0


def test_member_may_open_own_profile_by_id(member_client, member):
    profile = member.profile

    response = member_client.get(f"{profile.get_parent().url}{profile.pk}/edit/")

    assert response.status_code == 200
