"""Site search finds a post by its visible replies, as soon as they are written, edited,
deleted or hidden, on the database backend and on the real engine."""

import io

from django.core.management import call_command

import pytest

from community.models import DiscussionPostPage, Reply
from community.moderation import hide, restore
from community.tests.helpers import create_post

pytestmark = pytest.mark.django_db

TITLE = "下水道の技術交流"


@pytest.fixture
def post(member_client, category) -> DiscussionPostPage:
    create_post(member_client, category, title=TITLE)
    return DiscussionPostPage.objects.get()


def reply(member_client, post, body: str) -> Reply:
    member_client.post(f"{post.url}reply/", {"body": body})
    return Reply.objects.filter(post=post).latest("pk")


def finds_post(client, word: str) -> bool:
    response = client.get("/search/", {"query": word})
    assert response.status_code == 200
    return [page.pk for page in response.context["search_results"]] == [
        DiscussionPostPage.objects.get().pk
    ]


def test_a_new_reply_makes_the_post_findable_by_its_text(member_client, post):
    reply(member_client, post, "Use a screw press for dewatering")

    assert finds_post(member_client, "dewatering")


def test_an_edited_reply_is_found_by_its_new_text_only(member_client, post):
    written = reply(member_client, post, "Use a screw press for dewatering")

    member_client.post(f"{post.url}replies/{written.pk}/edit/", {"body": "Try centrifuges"})

    assert finds_post(member_client, "centrifuges")
    assert not finds_post(member_client, "dewatering")


def test_a_deleted_reply_no_longer_finds_the_post(member_client, post):
    written = reply(member_client, post, "Use a screw press for dewatering")
    assert finds_post(member_client, "dewatering")

    member_client.post(f"{post.url}replies/{written.pk}/delete/")

    assert not finds_post(member_client, "dewatering")


def test_a_hidden_reply_leaves_search_until_restored(member_client, post):
    written = reply(member_client, post, "Use a screw press for dewatering")

    hide(written)
    hidden = finds_post(member_client, "dewatering")
    restore(written)

    assert not hidden
    assert finds_post(member_client, "dewatering")


def test_a_reply_removed_from_the_database_leaves_search(member_client, post):
    written = reply(member_client, post, "Use a screw press for dewatering")
    assert finds_post(member_client, "dewatering")

    written.delete()

    assert not finds_post(member_client, "dewatering")


def test_a_new_reply_reaches_the_engine_without_an_index_rebuild(
    member_client, post, engine, settings
):
    settings.WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": "search.site_search",
            "URLS": [settings.SEARCH_URL],
            "INDEX_PREFIX": f"{settings.SEARCH_INDEX_PREFIX}_wagtail_",
            "TIMEOUT": 10,
        },
        "database": {"BACKEND": "wagtail.search.backends.database"},
    }
    from wagtail.search.backends import get_search_backend

    backend = get_search_backend()
    call_command("update_index", backend_name="default", stdout=io.StringIO())  # as deployed
    try:
        reply(member_client, post, "Use a screw press for dewatering")
        backend.get_index_for_model(DiscussionPostPage).refresh()
        results = backend.search("dewatering", DiscussionPostPage)

        assert [page.pk for page in results] == [post.pk] and not results.used_fallback
    finally:
        for index in engine.client.indices.get(
            index=f"{settings.SEARCH_INDEX_PREFIX}_wagtail_*", ignore_unavailable=True
        ):
            engine.client.indices.delete(index=index)
