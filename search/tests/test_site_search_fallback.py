"""Site search (and the admin's page search) on OpenSearch answer from the database backend
when the engine is down or hung, with a notice; with the engine up they answer from it."""

import importlib.util
import io
import time

from django.core.management import call_command

from wagtail.search.backends import get_search_backend

import pytest

from search.engine import OpenSearchMemberIndex, _engine_down_until

pytestmark = pytest.mark.django_db

NOTICE = "The search engine cannot be reached, so these are the results of a simpler search."
# Nothing listens on the discard port of the loopback interface: connections are refused.
REFUSING_URL = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def engine_back_off_cleared():
    """Tests share the engine back-off with member matching: start and end without one."""
    OpenSearchMemberIndex.reset_availability()
    yield
    OpenSearchMemberIndex.reset_availability()


def use_site_search_at(settings, url: str, timeout: float = 0.5, prefix: str = "test") -> None:
    """Configure site search as production does with SEARCH_URL, pointed at `url`. Call it
    after creating the test's pages: they are then already in the database backend's index."""
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.site_search",
            "URLS": [url],
            "INDEX_PREFIX": f"{prefix}_wagtail_",
            "TIMEOUT": timeout,
            "FALLBACK_BACKEND": "database",
        },
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }


def discussion(member, title: str, body: str):
    from community.demo import ensure_community
    from community.models import CategoryPage, DiscussionPostPage

    community = ensure_community(member.profile.get_parent().get_parent().specific)
    category = CategoryPage.objects.child_of(community).get(slug="qa")
    return category.add_child(instance=DiscussionPostPage(title=title, body=body, author=member))


def test_settings_with_search_url_add_the_database_backend_as_fallback(monkeypatch):
    from talenthub.settings import base

    monkeypatch.setenv("SEARCH_URL", "http://search.example:9200")
    spec = importlib.util.spec_from_file_location("settings_with_search_url", base.__file__)
    configured = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(configured)

    backends = configured.WAGTAILSEARCH_BACKENDS
    assert backends["default"]["BACKEND"] == "search.site_search"
    assert backends["default"]["URLS"] == ["http://search.example:9200"]
    assert backends["default"]["FALLBACK_BACKEND"] == "database"
    assert backends["database"] == {"BACKEND": "wagtail.search.backends.database"}


def test_site_search_answers_from_the_database_when_the_engine_refuses(
    member_client, member, settings
):
    use_site_search_at(settings, REFUSING_URL)

    response = member_client.get("/search/", {"query": "Yamada"}, HTTP_ACCEPT_LANGUAGE="en")

    body = response.content.decode()
    assert response.status_code == 200
    assert NOTICE in body
    assert member.profile.title in body
    assert "1 result" in body


def test_site_search_answers_from_the_database_when_the_engine_hangs(
    member_client, member, settings, hung_engine_url
):
    use_site_search_at(settings, hung_engine_url, timeout=0.3)

    started = time.monotonic()
    response = member_client.get("/search/", {"query": "Yamada"}, HTTP_ACCEPT_LANGUAGE="en")

    body = response.content.decode()
    assert response.status_code == 200
    assert NOTICE in body and member.profile.title in body
    # One timeout, then the back-off skips the engine for the rest of the request.
    assert time.monotonic() - started < 2


def test_a_failure_makes_the_next_searches_skip_the_engine(member_client, member, settings):
    use_site_search_at(settings, REFUSING_URL)

    member_client.get("/search/", {"query": "Yamada"})

    assert _engine_down_until["time"] > time.monotonic()


def test_fallback_keeps_pages_apart(member_client, member, settings):
    for number in range(12):
        discussion(member, f"Sludge note {number}", "Dewatering with a screw press")
    use_site_search_at(settings, REFUSING_URL)

    first = member_client.get("/search/", {"query": "dewatering"}, HTTP_ACCEPT_LANGUAGE="en")
    second = member_client.get(
        "/search/", {"query": "dewatering", "page": 2}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert first.status_code == second.status_code == 200
    assert len(first.context["search_results"]) == 10
    assert len(second.context["search_results"]) == 2
    assert "12 results" in first.content.decode() and NOTICE in second.content.decode()


def test_admin_page_search_answers_from_the_database_when_the_engine_is_down(
    admin_client, member, settings
):
    post = discussion(member, "Sludge dewatering guide", "Screw presses compared")
    use_site_search_at(settings, REFUSING_URL)

    response = admin_client.get("/admin/pages/search/", {"q": "dewatering"})

    assert response.status_code == 200
    assert post.title in response.content.decode()


def test_admin_page_search_results_fragment_survives_a_hung_engine(
    admin_client, member, settings, hung_engine_url
):
    post = discussion(member, "Sludge dewatering guide", "Screw presses compared")
    use_site_search_at(settings, hung_engine_url, timeout=0.3)

    response = admin_client.get("/admin/pages/search/results/", {"q": "dewatering"})

    assert response.status_code == 200
    assert post.title in response.content.decode()


def test_site_search_answers_from_the_engine_when_it_is_up(member_client, member, engine, settings):
    from search.site_search import FallbackSearchResults

    post = discussion(member, "汚泥処理の相談", "Sludge question")
    use_site_search_at(
        settings, settings.SEARCH_URL, timeout=10, prefix=settings.SEARCH_INDEX_PREFIX
    )
    call_command("update_index", backend_name="default", stdout=io.StringIO())
    try:
        results = get_search_backend().search("sludge", post.__class__)
        response = member_client.get("/search/", {"query": "sludge"}, HTTP_ACCEPT_LANGUAGE="en")

        body = response.content.decode()
        assert isinstance(results, FallbackSearchResults)
        assert [page.pk for page in results] == [post.pk] and not results.used_fallback
        assert response.status_code == 200
        assert post.title in body and NOTICE not in body
    finally:
        for index in engine.client.indices.get(index=f"{settings.SEARCH_INDEX_PREFIX}_wagtail_*"):
            engine.client.indices.delete(index=index)
