"""A member filters the destination catalogue and opens a destination, in the Japanese UI."""

import re

import pytest

from studyabroad.demo import ensure_catalogue
from studyabroad.tests.factories import StudyDestinationPageFactory
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_filters_by_country_and_field_and_sees_deadlines(page_ja, member, screenshot):
    catalogue = ensure_catalogue(member.profile.get_parent().get_parent().specific)
    StudyDestinationPageFactory(
        parent=catalogue,
        destination_key="delft",
        fields=["hydraulic engineering"],
        deadline_in_days=40,
    )
    StudyDestinationPageFactory(
        parent=catalogue,
        destination_key="imperial",
        university_en="Imperial College London",
        university_ja="インペリアル・カレッジ・ロンドン",
        country="GB",
        city="London",
        fields=["structural engineering"],
    )
    StudyDestinationPageFactory(
        parent=catalogue,
        destination_key="tum",
        university_en="Technical University of Munich",
        university_ja="ミュンヘン工科大学",
        country="DE",
        fields=["hydraulic engineering"],
    )

    sign_in(page_ja, member)
    page_ja.get_by_role("link", name="留学先").first.click()
    assert page_ja.locator(".result-count").inner_text() == "3 件の留学先"

    # Filter by field, then by country, using the facet links
    page_ja.locator(".facet").filter(has_text="分野").get_by_role(
        "link", name="hydraulic engineering"
    ).click()
    assert page_ja.locator(".result-count").inner_text() == "2 件の留学先"
    page_ja.locator(".facet").filter(has_text="国").get_by_role("link", name="オランダ").click()
    assert page_ja.locator(".result-count").inner_text() == "1 件の留学先"
    assert re.search(r"field=hydraulic-engineering", page_ja.url)
    assert re.search(r"country=NL", page_ja.url)

    # Open the destination and see its deadlines, the next one highlighted
    page_ja.get_by_role("link", name="デルフト工科大学").click()
    assert page_ja.get_by_role("heading", name="出願締切").is_visible()
    assert page_ja.locator(".deadline--next").is_visible()
    screenshot(page_ja, "destination-ja")
