"""POST /api/v1/match/: authentication, validation, ranking, reasons and the database backend."""

import json

from wagtail.models import APIToken

import pytest

from profiles.models import ProfilePage
from profiles.tests.factories import UserFactory
from search.models import MemberEvidence

pytestmark = pytest.mark.django_db


def post(client, body, **headers):
    payload = body if isinstance(body, str) else json.dumps(body)
    return client.post("/api/v1/match/", data=payload, content_type="application/json", **headers)


def manager_token() -> str:
    manager = UserFactory(groups=["Managers"])
    return APIToken.create_token(user=manager, name="test")[1]


def test_anonymous_caller_gets_401(client, members):
    response = post(client, {"text": "bridge"})

    assert response.status_code == 401
    assert "error" in response.json()


def test_token_of_a_non_manager_gets_403(client, members):
    _token, key = APIToken.create_token(user=UserFactory(), name="x")

    response = post(client, {"text": "bridge"}, HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 403


def test_wagtail_bearer_scheme_and_the_documented_token_scheme_both_work(client, members):
    key = manager_token()

    for scheme in ("Bearer", "Token"):
        response = post(client, {"text": "橋梁"}, HTTP_AUTHORIZATION=f"{scheme} {key}")
        assert response.status_code == 200, scheme
        assert response.json()["results"], scheme
    token = APIToken.objects.get()
    assert token.last_used_at is not None  # Wagtail's auth notes the use
    token.revoke()
    assert post(client, {"text": "橋梁"}, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401


def test_a_caller_over_the_rate_limit_waits_and_others_go_on(client, members, settings):
    settings.API_RATE_LIMIT = "3/min"
    busy, other = manager_token(), manager_token()

    answers = [
        post(
            client, {"text": "橋梁"}, HTTP_AUTHORIZATION=f"Token {busy}", HTTP_ACCEPT_LANGUAGE="ja"
        )
        for _ in range(4)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    refused = answers[-1]
    assert "しばらく待って" in refused.json()["error"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert post(client, {"text": "橋梁"}, HTTP_AUTHORIZATION=f"Token {other}").status_code == 200


def test_unknown_token_gets_401(client, members):
    response = post(client, {"text": "bridge"}, HTTP_AUTHORIZATION="Token wagtail_nonsense")

    assert response.status_code == 401


def test_japanese_query_finds_member_who_wrote_english(client, members):
    response = post(
        client,
        {"text": "橋梁の耐震補強の専門家", "limit": 5},
        HTTP_AUTHORIZATION=f"Token {manager_token()}",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    body = response.json()
    assert response.status_code == 200
    assert body["backend"] == "database"
    assert isinstance(body["took_ms"], int)
    ids = [r["external_id"] for r in body["results"]]
    assert set(ids[:2]) == {"A00001", "A00003"} and "A00002" not in ids
    first = body["results"][0]
    assert first["url"].startswith("http://testserver/members/")
    assert first["reasons"] and all(isinstance(r, str) for r in first["reasons"])
    assert any("bridge seismic retrofit" in r or "橋梁の耐震" in r for r in first["reasons"])


def test_english_query_finds_member_who_wrote_japanese(client, members):
    response = post(
        client,
        {"text": "sewer pipe rehabilitation", "tags": []},
        HTTP_AUTHORIZATION=f"Token {manager_token()}",
    )

    assert response.json()["results"][0]["external_id"] == "A00002"


def test_language_requirement_ranks_members_who_meet_it_first(client, members):
    token = manager_token()
    without = post(client, {"text": "橋梁の耐震補強"}, HTTP_AUTHORIZATION=f"Token {token}").json()
    with_requirement = post(
        client,
        {"text": "橋梁の耐震補強", "language": {"language": "en", "min_level": "C1"}},
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()

    assert with_requirement["results"][0]["external_id"] == "A00001"
    assert any("C1 meets C1" in r for r in with_requirement["results"][0]["reasons"])
    junior = next(r for r in with_requirement["results"] if r["external_id"] == "A00003")
    assert any("below the required C1" in r for r in junior["reasons"])
    assert len(without["results"]) == len(with_requirement["results"])


def test_filters_restrict_by_bureau(client, members):
    response = post(
        client,
        {"text": "橋梁", "filters": {"bureau": "下水道局"}},
        HTTP_AUTHORIZATION=f"Token {manager_token()}",
    )

    assert response.json()["results"] == []


def test_signed_in_member_may_use_the_api_with_csrf(client, member, members):
    client.force_login(member)

    response = post(client, {"text": "bridge"})

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "", "tags": []}, None),
        ({"text": "bridge", "limit": 0}, "limit"),
        ({"text": "bridge", "limit": 51}, "limit"),
        (
            {"text": "bridge", "language": {"language": "xx", "min_level": "B2"}},
            "language.language",
        ),
        (
            {"text": "bridge", "language": {"language": "en", "min_level": "B3"}},
            "language.min_level",
        ),
        ({"text": "x" * 5001}, "text"),
        ({"text": "bridge", "limit": "ten"}, "limit"),
        ('{"text": "bridge"', "body"),
        ("[1, 2]", None),
    ],
)
def test_bad_input_gets_400_naming_the_field(client, members, body, field):
    response = post(client, body, HTTP_AUTHORIZATION=f"Token {manager_token()}")

    assert response.status_code == 400
    payload = response.json()
    assert payload["error"]
    if field:
        assert payload["field"] == field


def test_openapi_schema_is_served(client, member):
    client.force_login(member)

    schema = client.get("/api/v1/schema/").json()

    assert "/api/v1/match/" in schema["paths"]


def test_publishing_unpublishing_and_deleting_keep_evidence_in_step(
    members, django_capture_on_commit_callbacks
):
    page = ProfilePage.objects.get(external_id="A00002")
    assert MemberEvidence.objects.filter(profile=page).exists()

    with django_capture_on_commit_callbacks(execute=True):
        page.bio_ja = "ITS の計画を担当。"
        page.save_revision().publish()
    assert "its_traffic" in MemberEvidence.objects.get(profile=page).data["concepts"]["bio"]

    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert not MemberEvidence.objects.filter(profile=page).exists()

    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()
    assert MemberEvidence.objects.filter(profile=page).exists()
    with django_capture_on_commit_callbacks(execute=True):
        page.delete()
    assert not MemberEvidence.objects.filter(external_id="A00002").exists()


def test_database_matcher_explains_matches_on_plain_words(members):
    from search.database_matching import DatabaseMatcher
    from search.matching import MatchQuery
    from search.sync import sync_profiles

    page = ProfilePage.objects.get(external_id="A00003")
    page.bio_en = "Runs the Kubernetes clusters of the road management system."
    page.save_revision().publish()
    sync_profiles([page.pk])

    results = DatabaseMatcher().match(MatchQuery(text="Kubernetes"))

    assert [r.external_id for r in results] == ["A00003"]
    assert any("Kubernetes" in reason for reason in results[0].reasons)
