"""Profile photos: only real, reasonably sized JPEG/PNG/WebP images are accepted."""

import io
import os

from django.core.files.uploadedfile import SimpleUploadedFile

import pytest
from PIL import Image

from profiles.models import ProfilePage
from profiles.tests.helpers import edit_url, profile_form_data

pytestmark = pytest.mark.django_db


def image_bytes(fmt: str, size=(64, 64), mode="RGB", noise=False) -> bytes:
    if noise:
        image = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))
    else:
        image = Image.new(mode, size, color=0)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def upload(member_client, member, name: str, content: bytes, content_type: str):
    profile = member.profile
    data = profile_form_data(profile)
    data["photo_upload"] = SimpleUploadedFile(name, content, content_type=content_type)
    return member_client.post(edit_url(profile), data, HTTP_ACCEPT_LANGUAGE="ja")


@pytest.mark.parametrize(
    ("name", "fmt", "content_type"),
    [
        ("me.jpg", "JPEG", "image/jpeg"),
        ("me.png", "PNG", "image/png"),
        ("me.webp", "WEBP", "image/webp"),
    ],
)
def test_real_images_are_stored_and_shown_as_renditions(
    member_client, member, name, fmt, content_type
):
    response = upload(member_client, member, name, image_bytes(fmt), content_type)

    assert response.status_code == 302
    profile = ProfilePage.objects.get(pk=member.profile.pk)
    assert profile.photo is not None
    page = member_client.get(profile.url).content.decode()
    assert "images/" in page and "fill-200x200" in page


def rejected_cases():
    jpeg = image_bytes("JPEG", size=(400, 400), noise=True)
    return [
        pytest.param(
            "notes.jpg",
            b"this is a text file, not a photo\n" * 10,
            "image/jpeg",
            "画像でないか、または壊れています",
            id="renamed-text-file",
        ),
        pytest.param(
            "bomb.png",
            image_bytes("PNG", size=(6000, 6000), mode="1"),
            "image/png",
            "ピクセル数の上限は25000000です",
            id="decompression-bomb",
        ),
        pytest.param(
            "broken.jpg",
            jpeg[: len(jpeg) // 2],
            "image/jpeg",
            "破損しているか、完全な画像ではありません",
            id="truncated-jpeg",
        ),
        pytest.param(
            "huge.png",
            image_bytes("PNG", size=(1600, 1600), noise=True),
            "image/png",
            "ファイルサイズの上限は5.0",
            id="over-5-mb",
        ),
        pytest.param(
            "anim.gif",
            image_bytes("GIF"),
            "image/gif",
            "サポートされていない画像形式です",
            id="gif-not-allowed",
        ),
    ]


@pytest.mark.parametrize(("name", "content", "content_type", "message"), rejected_cases())
def test_bad_uploads_are_refused_with_a_japanese_field_error(
    member_client, member, name, content, content_type, message
):
    response = upload(member_client, member, name, content, content_type)

    assert response.status_code == 400
    body = response.content.decode()
    assert 'class="field__error"' in body
    assert message in body
    profile = ProfilePage.objects.get(pk=member.profile.pk)
    assert profile.photo is None
    assert profile.revisions.count() == 0
