"""Posting, editing windows, replies and the security of what members write."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

import pytest

from community.models import DiscussionPostPage, Reply
from community.tests.helpers import create_post

pytestmark = pytest.mark.django_db

INJECTIONS = [
    '<script>alert("x")</script>',
    '<img src=x onerror="alert(1)">',
    "[link](javascript:alert(1))",
    '<a href="#" onclick="alert(1)">click</a>',
]


def test_member_posts_from_the_front_end(member_client, member, category):
    response = create_post(member_client, category)

    post = DiscussionPostPage.objects.get()
    assert response.status_code == 302 and response.url == post.url
    assert post.live and post.author == member and post.revisions.count() == 1
    assert sorted(t.name for t in post.tags.all()) == ["Netherlands", "下水道"]
    page = member_client.get(post.url).content.decode()
    assert "<strong>オランダ</strong>" in page


def listed_titles(html: str) -> list[str]:
    """The post titles a listing shows, in order."""
    return re.findall(r'<li class="post-summary">\s*<h2><a href="[^"]*">([^<]*)</a>', html)


def test_listing_orders_by_latest_activity_and_filters_by_tag(member_client, category):
    create_post(member_client, category, title="First", tags="Netherlands")
    create_post(member_client, category, title="Second", tags="下水道")
    create_post(member_client, category, title="Third", tags="Netherlands, 下水道")
    first = DiscussionPostPage.objects.get(title="First")
    member_client.post(f"{first.url}reply/", {"body": "A reply brings it to the top"})

    listing = member_client.get(category.url).content.decode()
    tagged = member_client.get(category.url, {"tag": "netherlands"}).content.decode()
    unknown = member_client.get(category.url, {"tag": "no-such-tag"}).content.decode()

    assert listed_titles(listing) == ["First", "Third", "Second"]
    # Only the posts tagged Netherlands, still by latest activity; the filter is shown.
    assert listed_titles(tagged) == ["First", "Third"]
    assert '<span class="tag">netherlands ' in tagged
    assert listed_titles(unknown) == []


def test_someone_elses_post_cannot_be_edited(member_client, other_member, category):
    create_post(member_client, category)
    post = DiscussionPostPage.objects.get()
    client = Client()
    client.force_login(other_member)

    get = client.get(f"{post.url}edit/")
    post_response = client.post(f"{post.url}edit/", {"title": "Hijacked", "body": "x"})

    assert get.status_code == 403 and post_response.status_code == 403
    post.refresh_from_db()
    assert post.title == "下水道の技術交流" and post.revisions.count() == 1


def test_author_edits_own_post_with_a_new_revision(member_client, category):
    create_post(member_client, category)
    post = DiscussionPostPage.objects.get()

    member_client.post(f"{post.url}edit/", {"title": "Updated", "body": "New text", "tags": ""})

    post.refresh_from_db()
    assert post.title == "Updated" and post.revisions.count() == 2


def test_replies_can_be_edited_for_30_minutes_and_deleted_softly(member_client, category, member):
    create_post(member_client, category)
    post = DiscussionPostPage.objects.get()
    member_client.post(f"{post.url}reply/", {"body": "First thought"})
    reply = Reply.objects.get()

    ok = member_client.post(f"{post.url}replies/{reply.pk}/edit/", {"body": "Second thought"})
    Reply.objects.filter(pk=reply.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    late = member_client.post(f"{post.url}replies/{reply.pk}/edit/", {"body": "Too late"})
    deleted = member_client.post(f"{post.url}replies/{reply.pk}/delete/")

    reply.refresh_from_db()
    assert ok.status_code == 302 and late.status_code == 403 and deleted.status_code == 302
    assert reply.is_deleted and reply.body == ""
    assert Reply.objects.count() == 1  # the row stays, the text goes
    assert "(deleted)" in member_client.get(post.url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_someone_elses_reply_cannot_be_edited_or_deleted(member_client, other_member, category):
    create_post(member_client, category)
    post = DiscussionPostPage.objects.get()
    member_client.post(f"{post.url}reply/", {"body": "Mine"})
    reply = Reply.objects.get()
    client = Client()
    client.force_login(other_member)

    edit = client.post(f"{post.url}replies/{reply.pk}/edit/", {"body": "Hijacked"})
    delete = client.post(f"{post.url}replies/{reply.pk}/delete/")

    reply.refresh_from_db()
    assert edit.status_code == 403 and delete.status_code == 403
    assert reply.body == "Mine" and not reply.is_deleted


def test_a_reply_may_quote_one_earlier_reply(member_client, category):
    create_post(member_client, category)
    post = DiscussionPostPage.objects.get()
    member_client.post(f"{post.url}reply/", {"body": "Original point"})
    first = Reply.objects.get()

    member_client.post(f"{post.url}reply/", {"body": "Agreed", "quoted": first.pk})

    page = member_client.get(post.url).content.decode()
    assert Reply.objects.get(body="Agreed").quoted == first
    assert 'class="reply__quote"' in page


@pytest.mark.parametrize("payload", INJECTIONS)
def test_script_and_event_handlers_are_neutralised(member_client, category, payload):
    create_post(member_client, category, title=f"Title {payload}", body=f"Body {payload}")
    post = DiscussionPostPage.objects.get()
    member_client.post(f"{post.url}reply/", {"body": f"Reply {payload}"})

    page = member_client.get(post.url).content.decode()
    listing = member_client.get(category.url).content.decode()

    for html in (page, listing):
        assert "<script>alert" not in html
        # No real tag carries an event handler (escaped text such as &lt;img … is harmless).
        assert not re.search(r"<[a-z][^>]*\son\w+\s*=", html)
        assert 'href="javascript:' not in html


def test_csrf_is_enforced_on_every_form(member, member_client, category):
    create_post(member_client, category)
    post = DiscussionPostPage.objects.get()
    member_client.post(f"{post.url}reply/", {"body": "A reply"})
    reply = Reply.objects.get()
    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    forms = [
        (f"{category.url}new/", {"title": "x", "body": "y"}),
        (f"{post.url}edit/", {"title": "x", "body": "y"}),
        (f"{post.url}reply/", {"body": "y"}),
        (f"{post.url}replies/{reply.pk}/edit/", {"body": "y"}),
        (f"{post.url}replies/{reply.pk}/delete/", {}),
        (f"{post.url}flag/", {"reason": "y"}),
        (f"{post.url}follow/", {}),
        ("/notifications/", {"email": "never"}),
    ]

    statuses = [client.post(url, data).status_code for url, data in forms]

    assert statuses == [403] * len(forms)
    assert DiscussionPostPage.objects.count() == 1 and Reply.objects.get().body == "A reply"


def test_quote_link_prefills_the_quoted_reply(member_client, category):
    create_post(member_client, category)
    post = DiscussionPostPage.objects.get()
    member_client.post(f"{post.url}reply/", {"body": "Worth quoting"})
    reply = Reply.objects.get()

    page = member_client.get(post.url, {"quote": reply.pk}).content.decode()

    assert f'name="quoted" value="{reply.pk}"' in page


def test_posts_and_replies_are_found_by_site_search(member_client, category):
    create_post(member_client, category, title="汚泥処理の相談", body="Sludge dewatering question")
    post = DiscussionPostPage.objects.get()
    member_client.post(f"{post.url}reply/", {"body": "Try a screw press"})

    by_body = member_client.get("/search/", {"query": "dewatering"}).content.decode()

    assert "汚泥処理の相談" in by_body


def test_a_members_posts_and_replies_appear_on_their_profile(member_client, member, category):
    create_post(member_client, category, title="My question")
    post = DiscussionPostPage.objects.get()
    member_client.post(f"{post.url}reply/", {"body": "My follow-up"})

    profile_page = member_client.get(member.profile.url).content.decode()

    assert "My question" in profile_page and "My follow-up" in profile_page
