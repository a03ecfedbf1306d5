"""Matching never returns or explains a member by a field the asker may not see — on the
database matcher and on the real OpenSearch node; expert search (always on the database's
evidence index) neither."""

import pytest

from search.tests.engine_fixtures import MATCH_BACKENDS, answer_matching_from
from search.tests.test_match_api import post

pytestmark = pytest.mark.django_db


@pytest.fixture(params=MATCH_BACKENDS)
def backend(request, secretive, open_member):
    return answer_matching_from(request, request.param)


def match_ids(client, user, body, backend: str) -> tuple[list[str], dict]:
    """Ids and response of a match; the backend asked for must be the one that answered (a
    silent fallback to the database would test the database twice)."""
    client.force_login(user)
    response = post(client, body, HTTP_ACCEPT_LANGUAGE="en").json()
    assert response["backend"] == backend
    return [r["external_id"] for r in response["results"]], response


def test_members_do_not_match_on_a_bio_shared_with_managers(
    client,
    backend,
    plain_member,
    manager,
):
    as_member, _ = match_ids(client, plain_member, {"text": "pneumatic caisson"}, backend)
    as_manager, _ = match_ids(client, manager, {"text": "pneumatic caisson"}, backend)

    assert as_member == ["P00002"]
    assert set(as_manager) == {"P00001", "P00002"}


def test_members_do_not_match_on_experience_shared_with_managers(
    client,
    backend,
    plain_member,
    manager,
):
    as_member, _ = match_ids(client, plain_member, {"text": "tunnel boring machine"}, backend)
    as_manager, response = match_ids(client, manager, {"text": "tunnel boring machine"}, backend)

    assert "P00001" not in as_member
    assert as_manager[0] == "P00001"
    assert any("tunnel boring machine" in r for r in response["results"][0]["reasons"])


def test_words_outside_the_glossary_are_not_revealed_either(
    client,
    backend,
    plain_member,
    manager,
):
    as_member, _ = match_ids(client, plain_member, {"text": "Primavera"}, backend)
    as_manager, response = match_ids(client, manager, {"text": "Primavera"}, backend)

    assert as_member == []
    assert as_manager == ["P00001"]
    assert any("Primavera" in r for r in response["results"][0]["reasons"])


def test_private_languages_count_for_no_one(client, backend, manager):
    body = {"text": "caisson", "language": {"language": "en", "min_level": "C1"}}
    _ids, response = match_ids(client, manager, body, backend)

    secretive_result = next(r for r in response["results"] if r["external_id"] == "P00001")
    assert not any("C2" in r or "IELTS" in r for r in secretive_result["reasons"]), secretive_result


def test_expert_search_facets_and_filters_follow_privacy(
    client,
    secretive,
    open_member,
    plain_member,
    manager,
):
    # Expert search ranks from the database's evidence index whatever SEARCH_URL says
    # (search.experts), so it has one backend to test: an "opensearch" run would repeat this.
    client.force_login(plain_member)
    member_view = client.get("/api/v1/experts/", {"q": "tunnel boring machine"}).json()
    overseas = client.get("/api/v1/experts/", {"overseas": "true"}).json()
    client.force_login(manager)
    manager_view = client.get("/api/v1/experts/").json()
    english_c1 = client.get("/api/v1/experts/", {"language": "en", "min_level": "C1"}).json()

    assert member_view["total"] == 0
    assert overseas["total"] == 0  # the only overseas experience is shared with managers
    levels = {f["value"]: f["count"] for f in manager_view["facets"]["english_level"]}
    assert levels == {"B2": 1}  # P00001's C2 is private
    assert english_c1["total"] == 0
