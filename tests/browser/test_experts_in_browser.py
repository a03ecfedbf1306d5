"""A manager finds experts and matches people to a project in the Japanese UI."""

import pytest

from profiles.tests.factories import UserFactory
from search.database_matching import reset_index
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(directory):
    return UserFactory(groups=["Managers"])


def test_manager_searches_filters_and_matches(page_ja, manager, members, screenshot):
    reset_index()
    sign_in(page_ja, manager)

    # Find experts: a Japanese query finds the member who wrote only English
    page_ja.get_by_role("link", name="専門家を探す").click()
    page_ja.get_by_label("専門分野（日本語・英語）").fill("橋梁の耐震補強")
    page_ja.get_by_role("button", name="検索").click()
    assert page_ja.get_by_role("link", name="橋本 一郎").is_visible()
    assert page_ja.locator(".result-count").inner_text() == "2 人のメンバー"
    screenshot(page_ja, "find-experts-ja")

    # A facet narrows the list and shows as an active filter
    page_ja.locator(".facet").filter(has_text="英語レベル").get_by_role(
        "link", name="英語 C1 以上"
    ).click()
    assert page_ja.locator(".result-count").inner_text() == "1 人のメンバー"
    assert page_ja.locator(".active-filters").is_visible()

    # Match to a project: ranked candidates with reasons
    page_ja.get_by_role("link", name="プロジェクトの内容から候補者を探す →").click()
    page_ja.get_by_label("プロジェクト名").fill("下水道管きょ更生の技術協力")
    page_ja.get_by_label("語学要件").select_option("en")
    page_ja.get_by_label("最低 CEFR レベル").select_option("A2")
    page_ja.get_by_role("button", name="候補者を探す").click()
    first = page_ja.locator(".candidates .candidate").first
    assert "下田 二郎" in first.inner_text()
    assert "専門分野タグ「管きょ更生」" in first.inner_text()
    assert "英語 A2" in first.inner_text()
    screenshot(page_ja, "match-project-ja")
