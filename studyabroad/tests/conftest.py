"""Fixtures for the study destination tests."""

import pytest

from studyabroad.demo import ensure_catalogue


@pytest.fixture
def catalogue(directory):
    """The destination catalogue under the home page, set up as load_demo does."""
    return ensure_catalogue(directory.get_parent().specific)
