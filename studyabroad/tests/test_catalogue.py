"""The destination catalogue: each filter alone and combined, sorting, facets, the language
filter against the signed-in member's profile, and the destination page."""

import datetime

from django.utils import timezone

import pytest

from profiles.models import OverseasExperience, ProfileLanguage
from studyabroad.tests.factories import StudyDestinationPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def destinations(catalogue):
    return {
        "delft": StudyDestinationPageFactory(
            parent=catalogue,
            destination_key="delft",
            fields=["hydraulic engineering"],
            ielts_min=6.5,
            toefl_min=90,
            deadline_in_days=40,
        ),
        "imperial": StudyDestinationPageFactory(
            parent=catalogue,
            destination_key="imperial",
            university_en="Imperial College London",
            university_ja="インペリアル・カレッジ・ロンドン",
            country="GB",
            city="London",
            degree="msc",
            duration_months=12,
            fields=["structural engineering"],
            ielts_min=7.0,
            deadline_in_days=10,
        ),
        "hks": StudyDestinationPageFactory(
            parent=catalogue,
            destination_key="hks",
            university_en="Harvard University",
            university_ja="ハーバード大学",
            country="US",
            degree="mpa",
            duration_months=12,
            fields=["public policy"],
            cefr_min="C1",
            deadline_in_days=200,
        ),
        "tum": StudyDestinationPageFactory(
            parent=catalogue,
            destination_key="tum",
            university_en="Technical University of Munich",
            university_ja="ミュンヘン工科大学",
            country="DE",
            teaching_language="de",
            fields=["hydraulic engineering"],
            cefr_min="B2",
            deadline_in_days=90,
        ),
    }


def listed(client, catalogue, **params) -> list[str]:
    response = client.get(catalogue.url, params)
    assert response.status_code == 200
    return [d.destination_key for d in response.context["destinations"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"country": "GB"}, ["imperial"]),
        ({"field": "hydraulic-engineering"}, ["delft", "tum"]),
        ({"degree": "mpa"}, ["hks"]),
        ({"teaching_language": "de"}, ["tum"]),
        ({"max_duration": "12"}, ["imperial", "hks"]),
        ({"deadline_after": "DATE+60"}, ["tum", "hks"]),
        ({"field": "hydraulic-engineering", "teaching_language": "en"}, ["delft"]),
        ({"degree": "msc", "max_duration": "12", "country": "GB"}, ["imperial"]),
        ({"country": "US", "degree": "msc"}, []),
    ],
)
def test_each_filter_alone_and_combined(member_client, catalogue, destinations, params, expected):
    if params.get("deadline_after") == "DATE+60":
        params["deadline_after"] = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()

    assert listed(member_client, catalogue, **params) == expected


def test_default_sort_is_next_deadline_and_name_sort_is_alphabetical(
    member_client, catalogue, destinations
):
    assert listed(member_client, catalogue) == ["imperial", "delft", "tum", "hks"]
    assert listed(member_client, catalogue, sort="name") == ["delft", "hks", "imperial", "tum"]


def test_language_filter_uses_the_members_own_scores(
    member_client, member, catalogue, destinations
):
    # Given a member with IELTS 6.5 and English C1, German B1
    profile = member.profile
    profile.languages = [
        ProfileLanguage(language="en", level="C1", test_name="IELTS", score=6.5),
        ProfileLanguage(language="de", level="B1"),
    ]
    profile.save()

    # Then Delft (IELTS 6.5) and Harvard (CEFR C1) qualify; Imperial (7.0) and TUM (German B2) don't
    assert listed(member_client, catalogue, meets_my_scores="1") == ["delft", "hks"]
    # And the filter combines with the others
    assert listed(member_client, catalogue, meets_my_scores="1", degree="mpa") == ["hks"]


def test_language_filter_without_a_profile_says_what_to_do(client, catalogue, destinations):
    from profiles.tests.factories import UserFactory

    client.force_login(UserFactory())

    response = client.get(catalogue.url, {"meets_my_scores": "1"}, HTTP_ACCEPT_LANGUAGE="ja")

    assert "プロフィールに語学スコアを登録" in response.content.decode()


def test_facets_count_the_filtered_results_and_keep_the_filters(
    member_client, catalogue, destinations
):
    response = member_client.get(catalogue.url, {"field": "hydraulic-engineering"})

    facets = response.context["facets"]
    assert {f["value"]: f["count"] for f in facets["country"]} == {"NL": 1, "DE": 1}
    netherlands = next(f for f in facets["country"] if f["value"] == "NL")
    assert (
        "field=hydraulic-engineering" in netherlands["url"] and "country=NL" in netherlands["url"]
    )


def test_bad_date_is_reported_not_an_error(member_client, catalogue, destinations):
    response = member_client.get(catalogue.url, {"deadline_after": "next week"})

    assert response.status_code == 200
    assert "YYYY-MM-DD" in response.content.decode()


def test_destination_page_highlights_the_next_deadline_and_related_members(
    member_client, member, other_member, destinations
):
    delft = destinations["delft"]
    member.profile.overseas_experiences = [
        OverseasExperience(country="NL", organisation="Delft University of Technology", year=2019)
    ]
    member.profile.save()
    other_member.profile.overseas_experiences = [
        OverseasExperience(country="NL", organisation="Rijkswaterstaat", year=2021)
    ]
    other_member.profile.save()

    body = member_client.get(delft.url, HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert 'class="deadline--next"' in body
    assert "ここで経験のあるメンバー" in body
    assert body.index("山田 太郎") < body.index("鈴木 花子")  # same university before same country


def test_destinations_are_found_by_site_search(member_client, destinations):
    body = member_client.get("/search/", {"query": "Imperial"}).content.decode()

    assert "Imperial College London" in body
