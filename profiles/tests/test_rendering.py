"""The profile page reads naturally in Japanese and in English."""

from urllib.parse import quote

import pytest

from profiles.models import OverseasExperience, ProfileLanguage

pytestmark = pytest.mark.django_db


@pytest.fixture
def rich_profile(member):
    profile = member.profile
    profile.tags.add("橋梁の耐震化")
    profile.languages = [ProfileLanguage(language="en", level="C1", test_name="TOEIC", score=905)]
    profile.overseas_experiences = [
        OverseasExperience(country="DE", organisation="TU München", year=2018, summary="MSc")
    ]
    profile.save()
    return profile


@pytest.mark.parametrize(
    ("language", "expected", "absent"),
    [
        (
            "ja",
            ["専門分野", "語学", "海外経験", "建設局", "土木", "ドイツ", "英語", "山田 太郎"],
            ["Expertise"],
        ),
        (
            "en",
            [
                "Expertise",
                "Languages",
                "Overseas experience",
                "Bureau of Construction",
                "Civil engineering",
                "Germany",
                "English",
                "Taro Yamada",
            ],
            ["専門分野", "海外経験"],
        ),
    ],
)
def test_profile_page_in_each_language(member_client, rich_profile, language, expected, absent):
    response = member_client.get(rich_profile.url, HTTP_ACCEPT_LANGUAGE=language)

    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{language}">' in body
    for text in expected:
        assert text in body, text
    for text in absent:
        assert text not in body, text
    assert "橋梁の耐震化" in body and "TU München" in body


def test_language_switcher_sets_the_language(member_client, rich_profile):
    response = member_client.post("/i18n/setlang/", {"language": "en", "next": rich_profile.url})

    assert response.status_code == 302
    assert "Expertise" in member_client.get(rich_profile.url).content.decode()


def test_tag_links_list_every_member_with_the_tag(member_client, rich_profile, other_member):
    other = other_member.profile
    other.tags.add("橋梁の耐震化")
    other.save()
    tag_url = f"{rich_profile.get_parent().url}tags/{quote(rich_profile.tags.get().slug)}/"

    body = member_client.get(rich_profile.url).content.decode()
    listing = member_client.get(tag_url).content.decode()

    assert tag_url in body
    assert "山田 太郎" in listing and "鈴木 花子" in listing


def test_directory_filters_by_bureau(member_client, rich_profile, other_member):
    from profiles.models import Bureau

    other = other_member.profile
    other.bureau = Bureau.objects.get(name_ja="水道局")
    other.save()

    body = member_client.get("/members/", {"bureau": other.bureau_id}).content.decode()

    assert "鈴木 花子" in body and "山田 太郎" not in body
