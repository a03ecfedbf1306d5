"""Flags, automatic hiding, the moderation queue and posting limits."""

import pytest

from community.models import DiscussionPostPage, Flag, Reply
from community.tests.helpers import create_post, signed_in
from profiles.tests.factories import ProfilePageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(member_client, category):
    create_post(member_client, category, title="Flag me", body="Questionable text")
    return DiscussionPostPage.objects.get()


def test_three_members_flagging_hide_a_post_until_reviewed(member, directory, post):
    flaggers = [ProfilePageFactory(parent=directory).user for _ in range(3)]
    url = post.url

    for number, user in enumerate(flaggers, start=1):
        signed_in(user).post(f"{url}flag/", {"reason": "Off topic"})
        post.refresh_from_db()
        assert post.live == (number < 3)

    assert post.is_hidden
    # Hidden: not reachable by URL, not listed, not found by search; the revisions are kept.
    reader = signed_in(member)
    assert reader.get(url).status_code == 404
    assert "Flag me" not in reader.get(post.get_parent().url).content.decode()
    assert "Flag me" not in reader.get("/search/", {"query": "Questionable"}).content.decode()
    assert post.revisions.count() == 1


def test_one_member_flagging_twice_counts_once(other_member, post):
    client = signed_in(other_member)
    for _attempt in range(3):
        client.post(f"{post.url}flag/", {"reason": "Spam"})

    assert Flag.objects.count() == 1
    post.refresh_from_db()
    assert post.live and not post.is_hidden


def test_moderators_hide_restore_and_dismiss_from_the_queue(member, other_member, post):
    signed_in(other_member).post(f"{post.url}flag/", {"reason": "Rude"})
    moderator = UserFactory(groups=["Programme admins"])
    admin = signed_in(moderator)

    queue = admin.get("/admin/community/flags/", HTTP_ACCEPT_LANGUAGE="en")
    assert queue.status_code == 200 and "Rude" in queue.content.decode()

    admin.post("/admin/community/flags/", {"content": f"post:{post.pk}", "action": "hide"})
    post.refresh_from_db()
    assert post.is_hidden and not post.live
    assert Flag.objects.get().resolution == "hidden"

    signed_in(other_member).post(f"{post.url}flag/", {"reason": "Still rude"})  # already flagged
    admin.post("/admin/community/flags/", {"content": f"post:{post.pk}", "action": "restore"})
    post.refresh_from_db()
    assert post.live and not post.is_hidden
    assert signed_in(member).get(post.url).status_code == 200


def test_hidden_reply_text_is_not_shown_or_searchable(member_client, other_member, post):
    member_client.post(f"{post.url}reply/", {"body": "Offensive remark"})
    reply = Reply.objects.get()
    moderator = UserFactory(is_superuser=True, is_staff=True)
    signed_in(other_member).post(f"{post.url}replies/{reply.pk}/flag/", {"reason": "Offensive"})

    signed_in(moderator).post(
        "/admin/community/flags/", {"content": f"reply:{reply.pk}", "action": "hide"}
    )

    page = member_client.get(post.url).content.decode()
    assert "Offensive remark" not in page
    assert "Offensive remark" not in DiscussionPostPage.objects.get().replies_text()


def test_members_cannot_open_the_moderation_queue(member_client):
    response = member_client.get("/admin/community/flags/")

    assert response.status_code in (302, 403)


def test_posting_is_rate_limited_with_a_clear_message(member_client, category):
    for number in range(10):
        assert create_post(member_client, category, title=f"Post {number}").status_code == 302

    response = create_post(member_client, category, title="One too many")

    assert response.status_code == 429
    assert "10" in response.content.decode()
    assert not DiscussionPostPage.objects.filter(title="One too many").exists()


def test_replies_are_rate_limited(member_client, member, post):
    Reply.objects.bulk_create([Reply(post=post, author=member, body=f"r{i}") for i in range(60)])

    response = member_client.post(f"{post.url}reply/", {"body": "61st"}, follow=True)

    assert not Reply.objects.filter(body="61st").exists()
    assert "60" in response.content.decode()
