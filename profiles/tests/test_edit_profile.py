"""Members edit their own profile from the front end; each save is a published revision."""

import html
import re

from taggit.models import Tag
from taggit.utils import parse_tags

import pytest

from profiles.models import ProfilePage
from profiles.tests.helpers import edit_url, profile_form_data

pytestmark = pytest.mark.django_db


def test_saving_publishes_a_new_revision_with_tags_and_children(member_client, member):
    profile = member.profile
    data = profile_form_data(
        profile,
        tags="橋梁, seismic retrofit",
        **{
            "languages-0-language": "en",
            "languages-0-level": "B2",
            "languages-0-test_name": "IELTS",
            "languages-0-score": "6.5",
            "overseas_experiences-0-country": "NL",
            "overseas_experiences-0-organisation": "Rijkswaterstaat",
            "overseas_experiences-0-year": "2019",
            "overseas_experiences-0-summary": "Delta works study",
        },
    )

    response = member_client.post(edit_url(profile), data)

    assert response.status_code == 302
    profile = ProfilePage.objects.get(pk=profile.pk)
    assert profile.live and not profile.has_unpublished_changes
    assert profile.revisions.count() == 1
    assert sorted(t.name for t in profile.tags.all()) == ["seismic retrofit", "橋梁"]
    language = profile.languages.get()
    assert (language.language, language.level, language.test_name) == ("en", "B2", "IELTS")
    assert profile.overseas_experiences.get().organisation == "Rijkswaterstaat"
    assert profile.confirmed_at is not None


def test_out_of_range_test_score_is_refused_with_a_field_error(member_client, member):
    profile = member.profile
    data = profile_form_data(
        profile,
        **{
            "languages-0-language": "en",
            "languages-0-level": "B2",
            "languages-0-test_name": "IELTS",
            "languages-0-score": "12",
        },
    )

    response = member_client.post(edit_url(profile), data, HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 400
    assert "IELTS のスコアは 0〜9 の範囲です。" in response.content.decode()
    assert ProfilePage.objects.get(pk=profile.pk).revisions.count() == 0


def test_tag_autocomplete_offers_existing_tags(member_client, member, other_member):
    other_member.profile.tags.add("bridge inspection")
    other_member.profile.save()
    Tag.objects.get_or_create(name="water treatment", slug="water-treatment")

    response = member_client.get("/members/tag-autocomplete/", {"q": "brid"})

    assert response.json()["tags"] == ["bridge inspection"]


def test_a_member_without_profile_can_create_one(client, directory):
    from profiles.tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    data = profile_form_data(
        ProfilePage(name_ja="新人 一郎", name_en="Ichiro Shinjin"), external_id="N00001"
    )

    response = client.post("/members/me/edit/", data)

    assert response.status_code == 302
    profile = ProfilePage.objects.get(user=user)
    # Staff numbers come from the import: the posted one is ignored until then.
    assert profile.live and profile.external_id == f"self-{user.pk}"
    assert not profile.has_staff_number


def test_form_shows_current_tags_as_comma_separated_text(member_client, member):
    profile = member.profile
    profile.tags.add("橋梁", "bridge inspection")
    profile.save()

    body = member_client.get(edit_url(profile)).content.decode()

    tags_input = re.search(r'<input[^>]*name="tags"[^>]*value="([^"]*)"', body).group(1)
    assert sorted(parse_tags(html.unescape(tags_input))) == ["bridge inspection", "橋梁"]


def test_one_click_confirms_the_profile_is_current(member_client, member):
    from django.utils import timezone

    profile = member.profile
    assert profile.confirmed_at is None

    refused = member_client.get("/members/me/confirm/")
    response = member_client.post("/members/me/confirm/")

    profile = ProfilePage.objects.get(pk=profile.pk)
    assert refused.status_code == 405
    assert response.status_code == 302
    assert profile.confirmed_at == timezone.localdate()
    assert profile.revisions.count() == 1 and not profile.has_unpublished_changes
