"""A member who shares little, and viewers in each audience (used by the privacy tests)."""

import io

from django.core.files.images import ImageFile

from wagtail.images import get_image_model

import pytest
from PIL import Image

from profiles.models import OverseasExperience, ProfileExchangeRecord, ProfileLanguage
from profiles.privacy import Visibility
from profiles.tests.factories import ProfilePageFactory, UserFactory


def _photo():
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), color=(200, 30, 30)).save(buffer, "PNG")
    return get_image_model().objects.create(
        title="secret photo", file=ImageFile(buffer, name="secret-photo.png")
    )


def publish_with_evidence(page):
    """Publish, and build the matching evidence now (tests never reach on_commit)."""
    from search.sync import sync_profiles

    page.save_revision().publish()
    sync_profiles([page.pk])


@pytest.fixture
def secretive(directory):
    """Bio and experience for managers only, languages and phone for themself only."""
    page = ProfilePageFactory(
        parent=directory,
        external_id="P00001",
        name_ja="秘田 守",
        name_en="Mamoru Hida",
        bio_ja="",
        bio_en="Twenty years on pneumatic caisson foundations.",
        phone="内線 55501",
        photo=_photo(),
        visibility_contact=Visibility.PRIVATE,
        visibility_languages=Visibility.PRIVATE,
        visibility_experience=Visibility.STAFF,
        visibility_bio=Visibility.STAFF,
        visibility_photo=Visibility.STAFF,
    )
    page.tags.set(["構造"])
    page.languages = [ProfileLanguage(language="en", level="C2", test_name="IELTS", score=8.5)]
    page.overseas_experiences = [
        OverseasExperience(
            country="NL",
            organisation="Delft University of Technology",
            year=2018,
            summary="Studied tunnel boring machine face stability with Primavera schedules.",
        )
    ]
    page.exchange_records = [
        ProfileExchangeRecord(title="Storm surge barrier visit", technical_field="港湾", year=2023)
    ]
    publish_with_evidence(page)
    return page


@pytest.fixture
def open_member(directory):
    """A member who shares everything with all members (the defaults)."""
    page = ProfilePageFactory(
        parent=directory,
        external_id="P00002",
        name_ja="公開 花子",
        name_en="Hanako Kokai",
        bio_ja="",
        bio_en="Designs pneumatic caisson shafts for subway stations.",
        phone="内線 55502",
    )
    page.languages = [ProfileLanguage(language="en", level="B2")]
    publish_with_evidence(page)
    return page


@pytest.fixture
def manager(db):
    return UserFactory(groups=["Managers"])


@pytest.fixture
def plain_member(db):
    return UserFactory()
