"""A member applies to the dispatch programme with a preferred destination; a programme admin
finds them among that destination's candidates, shortlists them and exports the shortlist —
in the Japanese UI."""

from decimal import Decimal

import pytest

from profiles.models import ProfileLanguage
from profiles.tests.factories import ProfilePageFactory, UserFactory
from profiles.tests.privacy_fixtures import publish_with_evidence
from studyabroad.demo import ensure_dispatch_programme
from studyabroad.tests.factories import StudyDestinationPageFactory
from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_applies_and_admin_exports_the_shortlist(page_ja, directory, catalogue, screenshot):
    ensure_dispatch_programme(directory.get_parent().specific)
    StudyDestinationPageFactory(
        parent=catalogue,
        destination_key="delft-water",
        programme_name="MSc Water Management",
        fields=["下水道"],
        ielts_min=Decimal("6.5"),
        deadline_in_days=40,
    )
    member = ProfilePageFactory(
        parent=directory, external_id="B00001", name_ja="派遣 希望子", years_of_service=9
    )
    member.tags.set(["下水道"])
    member.languages = [
        ProfileLanguage(language="en", level="C1", test_name="IELTS", score=Decimal("7.0"))
    ]
    publish_with_evidence(member)

    # The member applies, preferring Delft; the IELTS score comes from the profile.
    sign_in(page_ja, member.user)
    page_ja.get_by_role("link", name="派遣プログラム").click()
    assert page_ja.get_by_label("IELTS").input_value() == "7.0"
    page_ja.get_by_label("Delft University of Technology MSc Water Management").check()
    page_ja.get_by_label("志望動機").fill("下水道の維持管理を学び、更生計画に活かしたい。")
    page_ja.get_by_role("button", name="応募する").click()
    assert "応募を保存しました" in page_ja.locator(".messages, .message").first.inner_text()
    screenshot(page_ja, "dispatch-applied-ja")

    # A programme admin finds the applicant among Delft's candidates and shortlists them.
    admin = UserFactory(groups=["Programme admins"])
    sign_in(page_ja, admin)
    page_ja.get_by_role("link", name="派遣プログラム").click()
    page_ja.get_by_role("link", name="デルフト工科大学 — MSc Water Management").click()
    first = page_ja.locator(".candidates .candidate").first
    assert "派遣 希望子" in first.inner_text()
    assert "この留学先を希望して応募" in first.inner_text()
    assert "IELTS 7 ≥ 6.5" in first.inner_text()
    page_ja.get_by_role("button", name="派遣 希望子 を候補者リストに入れる").click()
    assert "候補者リスト入り" in page_ja.locator(".candidates .candidate").first.inner_text()
    screenshot(page_ja, "dispatch-candidates-ja")

    with page_ja.expect_download() as download:
        page_ja.get_by_role("link", name="候補者リストを書き出す（CSV）").click()
    content = open(download.value.path(), "rb").read()  # noqa: SIM115
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert "B00001" in text and "派遣 希望子" in text and "下水道の維持管理" in text
