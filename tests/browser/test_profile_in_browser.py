"""A member signs in, edits their profile in the Japanese UI and sees the change."""

import io
import re

import pytest
from PIL import Image

from profiles.models import ProfilePage
from profiles.tests.factories import TEST_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def png_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 300), color=(40, 110, 180)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_anonymous_visitor_is_sent_to_sign_in(page_ja, directory):
    page_ja.goto("/members/")

    assert re.search(r"/accounts/login/\?next=/members/$", page_ja.url)
    assert page_ja.locator("input[name=login]").is_visible()


def test_member_edits_own_profile_in_japanese_and_sees_it(page_ja, member, screenshot):
    profile = member.profile

    # Given a signed-in member on the Japanese UI
    page_ja.goto("/")
    page_ja.fill("input[name=login]", member.email)
    page_ja.fill("input[name=password]", TEST_PASSWORD)
    page_ja.locator("form button[type=submit]").last.click()
    page_ja.get_by_role("link", name="マイプロフィール").first.click()
    assert page_ja.locator("h1").inner_text() == "山田 太郎"

    # When they add a tag and upload a photo
    page_ja.get_by_role("link", name="プロフィールを編集").click()
    tags = page_ja.get_by_label("専門分野")
    tags.fill(
        tags.input_value() + ", 下水道管きょ更生" if tags.input_value() else "下水道管きょ更生"
    )
    page_ja.set_input_files(
        "input[name=photo_upload]",
        files=[{"name": "me.png", "mimeType": "image/png", "buffer": png_photo()}],
    )
    screenshot(page_ja, "profile-edit-ja")
    page_ja.get_by_role("button", name="保存して公開").click()

    # Then their profile page shows the tag and the photo
    page_ja.wait_for_url(re.compile(rf"{profile.url}$"))
    assert page_ja.get_by_text("プロフィールを保存しました。").is_visible()
    assert page_ja.get_by_role("link", name="下水道管きょ更生").is_visible()
    photo = page_ja.locator("img.profile__photo")
    assert photo.evaluate("img => img.complete && img.naturalWidth") > 0
    screenshot(page_ja, "profile-page-ja")
    stored = ProfilePage.objects.get(pk=profile.pk)
    assert "下水道管きょ更生" in [tag.name for tag in stored.tags.all()]
    assert stored.photo is not None
