"""Mentions, replies and follows notify members in the site and by email, per their setting."""

import io

from django.core import mail
from django.core.management import call_command
from django.test import Client

import pytest

from community.models import DiscussionPostPage, Notification, NotificationSetting, Reply
from community.tests.helpers import create_post

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_mention_notifies_and_links_to_the_profile(
    member_client,
    other_member,
    category,
    django_capture_on_commit_callbacks,
):
    mentioned = other_member.profile
    with django_capture_on_commit_callbacks(execute=True):
        create_post(
            member_client,
            category,
            title="Ask",
            body=f"@[{mentioned.name_ja}]({mentioned.external_id}) どう思いますか？",
        )
    post = DiscussionPostPage.objects.get()

    notification = Notification.objects.get(recipient=other_member)
    page = member_client.get(post.url).content.decode()
    assert notification.kind == "mention" and notification.post == post
    assert f'href="{mentioned.url}"' in page and "@鈴木 花子" in page
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [other_member.email]


def test_replies_notify_the_author_and_followers_but_not_the_replier(
    member,
    member_client,
    other_member,
    directory,
    category,
    django_capture_on_commit_callbacks,
):
    from profiles.tests.factories import ProfilePageFactory

    follower = ProfilePageFactory(parent=directory).user
    with django_capture_on_commit_callbacks(execute=True):
        create_post(member_client, category)
    post = DiscussionPostPage.objects.get()
    signed_in(follower).post(f"{post.url}follow/")

    with django_capture_on_commit_callbacks(execute=True):
        signed_in(other_member).post(f"{post.url}reply/", {"body": "Here is an answer"})

    kinds = dict(Notification.objects.values_list("recipient_id", "kind"))
    assert kinds == {member.pk: "reply", follower.pk: "followed"}


def test_bell_count_list_and_mark_read(
    member, member_client, other_member, category, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create_post(member_client, category)
    post = DiscussionPostPage.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(other_member).post(f"{post.url}reply/", {"body": "Answer"})

    home = member_client.get("/").content.decode()
    listing = member_client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    member_client.post("/notifications/", {"mark_read": "1"})

    assert 'class="bell__count">1<' in home
    assert "があなたの投稿に返信しました" in listing
    assert not Notification.objects.filter(recipient=member, read_at__isnull=True).exists()


def test_daily_digest_and_never_settings(
    member, member_client, other_member, category, django_capture_on_commit_callbacks
):
    NotificationSetting.objects.create(user=member, email="daily")
    NotificationSetting.objects.create(user=other_member, email="never")
    with django_capture_on_commit_callbacks(execute=True):
        create_post(member_client, category)
    post = DiscussionPostPage.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(other_member).post(f"{post.url}reply/", {"body": "One"})
        member_client.post(f"{post.url}reply/", {"body": "Two, to the follower"})

    assert mail.outbox == []  # daily and never: nothing immediately
    call_command("send_notification_digest", stdout=io.StringIO())

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [member.email]
    assert Reply.objects.count() == 2
    call_command("send_notification_digest", stdout=io.StringIO())
    assert len(mail.outbox) == 1  # nothing is sent twice


def test_mention_suggestions_match_japanese_and_english_names(member_client, other_member):
    japanese = member_client.get("/mentions/", {"q": "鈴木"}).json()["members"]
    english = member_client.get("/mentions/", {"q": "hanako"}).json()["members"]

    expected = f"@[{other_member.profile.name_ja}]({other_member.profile.external_id})"
    assert [m["insert"] for m in japanese] == [expected]
    assert [m["insert"] for m in english] == [expected]
    assert "Hanako Suzuki" in japanese[0]["label"]
