"""Flags, automatic hiding, the moderation queue and posting limits."""

import re

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


QUEUE = "/admin/community/flags/"
ROW = re.compile(
    r"<tr>\s*<td>(?P<content>.*?)</td>\s*<td><ul>(?P<flags>.*?)</ul></td>\s*"
    r"<td>(?P<status>.*?)</td>.*?name=\"content\" value=\"(?P<form>[^\"]*)\".*?</tr>",
    re.S,
)


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def queue_rows(moderator_client) -> list[dict]:
    """The moderation queue as a moderator sees it: one row per flagged post or reply."""
    response = moderator_client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    rows = [
        {
            "content": text(row["content"]),
            "flags": text(row["flags"]),
            "status": text(row["status"]),
            "form": row["form"],
        }
        for row in ROW.finditer(html)
    ]
    # No row read means an empty queue, not a table this pattern no longer reads.
    assert bool(rows) != ("Nothing is waiting for review." in html)
    return rows


def press(moderator_client, row: dict, action: str):
    """Press a row's Hide / Restore / Dismiss button (posting the row's form as rendered)."""
    response = moderator_client.post(QUEUE, {"content": row["form"], "action": action})
    assert response.status_code == 302 and response["Location"] == QUEUE
    return response


def members_see(member, post) -> bool:
    """Whether a member can open the post and finds it in its category's listing."""
    reader = signed_in(member)
    opens = reader.get(post.url).status_code == 200
    listed = f">{post.title}<" in reader.get(post.get_parent().url).content.decode()
    assert opens == listed, (opens, listed)
    return opens


@pytest.fixture
def moderator():
    return signed_in(UserFactory(groups=["Programme admins"]))


def test_a_moderator_hides_a_flagged_post_from_the_queue(member, other_member, post, moderator):
    url = post.url
    signed_in(other_member).post(f"{url}flag/", {"reason": "Rude"})

    [row] = queue_rows(moderator)
    assert row["content"] == "Post: Flag me" and "Rude" in row["flags"]
    assert row["status"] == "Visible" and members_see(member, post)

    press(moderator, row, "hide")

    assert signed_in(member).get(url).status_code == 404
    assert ">Flag me<" not in signed_in(member).get(post.get_parent().url).content.decode()
    assert queue_rows(moderator) == []  # the flag is resolved
    assert Flag.objects.get().resolution == "hidden"


def test_a_moderator_restores_a_post_the_flags_hid(member, directory, post, moderator):
    url = post.url
    for user in [ProfilePageFactory(parent=directory).user for _ in range(3)]:
        signed_in(user).post(f"{url}flag/", {"reason": "Off topic"})
    assert signed_in(member).get(url).status_code == 404

    [row] = queue_rows(moderator)
    assert row["content"] == "Post: Flag me" and row["flags"].count("Off topic") == 3
    assert row["status"] == "Hidden"

    press(moderator, row, "restore")

    post.refresh_from_db()
    assert members_see(member, post) and post.url == url
    assert queue_rows(moderator) == []
    assert set(Flag.objects.values_list("resolution", flat=True)) == {"restored"}


def test_a_moderator_dismisses_a_flag_and_the_post_stays(member, other_member, post, moderator):
    signed_in(other_member).post(f"{post.url}flag/", {"reason": "I disagree"})
    [row] = queue_rows(moderator)

    press(moderator, row, "dismiss")

    assert members_see(member, post)
    assert queue_rows(moderator) == []
    assert Flag.objects.get().resolution == "dismissed"


def test_hidden_reply_text_is_not_shown_or_searchable(member_client, other_member, post):
    member_client.post(f"{post.url}reply/", {"body": "Offensive remark"})
    member_client.post(f"{post.url}reply/", {"body": "A kind remark"})
    offensive = Reply.objects.get(body="Offensive remark")
    moderator = signed_in(UserFactory(is_superuser=True, is_staff=True))
    signed_in(other_member).post(f"{post.url}replies/{offensive.pk}/flag/", {"reason": "Offensive"})
    [row] = queue_rows(moderator)
    assert row["content"] == "Reply: Offensive remark Flag me" and "Offensive" in row["flags"]

    press(moderator, row, "hide")

    response = member_client.get(post.url)
    page = response.content.decode()
    assert response.status_code == 200 and "A kind remark" in page  # the post and others stay
    assert "Offensive remark" not in page
    replies_text = DiscussionPostPage.objects.get().replies_text()
    assert "Offensive remark" not in replies_text and "A kind remark" in replies_text
    assert queue_rows(moderator) == []


def test_members_cannot_open_the_moderation_queue(member_client):
    response = member_client.get(QUEUE)

    # Members have no admin access: Wagtail sends them to the sign-in page.
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={QUEUE}"


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
