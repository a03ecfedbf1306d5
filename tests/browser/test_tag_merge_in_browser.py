"""A programme admin merges two expertise tags; the member's profile and a manager's search
follow — in the Japanese UI."""

import pytest

from profiles.tests.factories import ProfilePageFactory, UserFactory
from profiles.tests.privacy_fixtures import publish_with_evidence
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_merges_tags_and_search_follows(page_ja, directory, screenshot):
    japanese_writer = ProfilePageFactory(
        parent=directory, external_id="W00001", name_ja="橋口 一", bio_ja="", bio_en=""
    )
    japanese_writer.tags.set(["橋梁"])
    publish_with_evidence(japanese_writer)
    english_writer = ProfilePageFactory(
        parent=directory, external_id="W00002", name_ja="英橋 二", bio_ja="", bio_en=""
    )
    english_writer.tags.set(["bridges"])
    publish_with_evidence(english_writer)

    # The programme admin selects both tags and keeps 橋梁.
    sign_in(page_ja, UserFactory(groups=["Programme admins"]))
    page_ja.goto("/admin/vocabulary/")
    page_ja.get_by_label("橋梁 を選択").check()
    page_ja.get_by_label("bridges を選択").check()
    page_ja.get_by_role("button", name="選択したタグを統合…").click()
    page_ja.get_by_label("橋梁 — 1 件").check()
    screenshot(page_ja, "merge-tags-ja")
    page_ja.get_by_role("button", name="統合する").click()
    assert "「橋梁」に統合しました：bridges" in page_ja.locator(".messages").inner_text()

    # The member who had "bridges" now shows 橋梁.
    sign_in(page_ja, english_writer.user)
    page_ja.goto(english_writer.url)
    assert page_ja.locator(".tag-list").inner_text().strip() == "橋梁"

    # A manager's search for either old tag finds both members.
    sign_in(page_ja, UserFactory(groups=["Managers"]))
    for old_name in ("bridges", "橋梁"):
        page_ja.goto("/experts/")
        page_ja.get_by_label("専門分野（日本語・英語）").fill(old_name)
        page_ja.get_by_role("button", name="検索").click()
        assert page_ja.get_by_role("link", name="英橋 二").is_visible()
        assert page_ja.get_by_role("link", name="橋口 一").is_visible()
    screenshot(page_ja, "search-after-merge-ja")
