"""Site search: Wagtail's database backend by default, its OpenSearch backend with SEARCH_URL."""

import io

from django.core.management import call_command

import pytest

pytestmark = pytest.mark.django_db


def test_site_search_finds_profiles_on_the_database_backend(member_client, member):
    response = member_client.get("/search/", {"query": "Yamada"})

    assert response.status_code == 200
    assert member.profile.title in response.content.decode()


def test_empty_query_shows_no_results(member_client):
    response = member_client.get("/search/", {"query": ""})

    assert response.status_code == 200
    assert "search-results" not in response.content.decode()


@pytest.mark.engine
def test_site_search_uses_opensearch_when_configured(member_client, member, engine, settings):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "wagtail.search.backends.opensearch3",
            "URLS": [settings.SEARCH_URL],
            "INDEX_PREFIX": f"{settings.SEARCH_INDEX_PREFIX}_wagtail_",
            "TIMEOUT": 10,
        }
    }
    from wagtail.search.backends import get_search_backend

    from studyabroad.demo import ensure_catalogue
    from studyabroad.tests.factories import StudyDestinationPageFactory

    StudyDestinationPageFactory(
        parent=ensure_catalogue(member.profile.get_parent().get_parent().specific),
        university_en="Imperial College London",
        programme_name="Structural Engineering",
    )
    from community.demo import ensure_community
    from community.models import CategoryPage, DiscussionPostPage, Reply

    community = ensure_community(member.profile.get_parent().get_parent().specific)
    discussion = (
        CategoryPage.objects.child_of(community)
        .get(slug="qa")
        .add_child(
            instance=DiscussionPostPage(
                title="汚泥処理の相談", body="Sludge question", author=member
            )
        )
    )
    Reply.objects.create(post=discussion, author=member, body="Use a screw press for dewatering")
    backend = get_search_backend()
    call_command("update_index", stdout=io.StringIO())
    try:
        profiles = member_client.get("/search/", {"query": "bridge maintenance"})
        japanese = member_client.get("/search/", {"query": "橋梁"})
        destinations = member_client.get("/search/", {"query": "Imperial structural"})

        assert type(backend).__module__.startswith("modelsearch.backends.opensearch3")
        assert member.profile.title in profiles.content.decode()
        assert member.profile.title in japanese.content.decode()
        assert "Imperial College London" in destinations.content.decode()
        by_reply = member_client.get("/search/", {"query": "dewatering"}).content.decode()
        by_japanese_title = member_client.get("/search/", {"query": "汚泥"}).content.decode()
        assert "汚泥処理の相談" in by_reply and "汚泥処理の相談" in by_japanese_title
    finally:
        wagtail_indexes = f"{settings.SEARCH_INDEX_PREFIX}_wagtail_*"
        for index in engine.client.indices.get(index=wagtail_indexes):
            engine.client.indices.delete(index=index)


def test_results_show_a_highlighted_snippet(member_client, member):
    profile = member.profile
    profile.bio_en = (
        "Leads <script>alert(1)</script> the bridge maintenance programme for the ward."
    )
    profile.save_revision().publish()

    body = member_client.get("/search/", {"query": "maintenance"}).content.decode()

    assert "<mark>maintenance</mark>" in body
    assert "<script>alert(1)</script>" not in body
