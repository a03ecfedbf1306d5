"""Member A mentions member B in a post; B is notified and replies; A sees the reply (Japanese)."""

import re

import pytest

from community.demo import ensure_community
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mention_notification_reply_round_trip(page_ja, member, other_member, screenshot):
    ensure_community(member.profile.get_parent().get_parent().specific)

    # A writes a post in 技術交流 and mentions B through the autocomplete
    sign_in(page_ja, member)
    page_ja.get_by_role("link", name="コミュニティ").first.click()
    page_ja.get_by_role("link", name="技術交流 / Technical exchange").click()
    page_ja.get_by_role("link", name="新規投稿").click()
    page_ja.get_by_label("タイトル").fill("下水道管の更生について")
    body = page_ja.get_by_label("本文")
    body.fill("経験のある方に伺いたいです。")
    body.press("End")
    body.type(" @鈴木")
    page_ja.get_by_role("option", name=re.compile("鈴木 花子")).click()
    page_ja.get_by_role("button", name="公開する").click()
    page_ja.wait_for_selector("text=投稿を公開しました。")
    assert page_ja.get_by_role("link", name="@鈴木 花子").is_visible()

    # B sees the notification, opens the post and replies
    sign_in(page_ja, other_member)
    assert page_ja.locator(".bell__count").inner_text() == "1"
    page_ja.locator(".bell").click()
    page_ja.get_by_role("link", name=re.compile("があなたをメンションしました")).click()
    page_ja.get_by_label("返信").fill("オランダでの事例をお話しできます。")
    page_ja.get_by_role("button", name="返信する").click()
    screenshot(page_ja, "community-reply-ja")

    # A is notified of the reply and reads it
    sign_in(page_ja, member)
    page_ja.locator(".bell").click()
    page_ja.get_by_role("link", name=re.compile("があなたの投稿に返信しました")).click()
    assert page_ja.get_by_text("オランダでの事例をお話しできます。").is_visible()
