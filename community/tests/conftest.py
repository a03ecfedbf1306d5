"""Fixtures for the community tests."""

import pytest

from community.demo import ensure_community
from community.models import CategoryPage


@pytest.fixture
def category(directory):
    community = ensure_community(directory.get_parent().specific)
    return CategoryPage.objects.child_of(community).get(slug="exchange")
