"""Fixtures shared by every test: the page tree and signed-in members."""

import pytest

from home.site_structure import ensure_site_structure


@pytest.fixture
def directory(db):
    """The members directory under the home page (created like load_demo does)."""
    _home, directory = ensure_site_structure()
    return directory


@pytest.fixture
def member(directory):
    """A member with a published profile."""
    from profiles.tests.factories import ProfilePageFactory

    return ProfilePageFactory(parent=directory).user


@pytest.fixture
def other_member(directory):
    from profiles.tests.factories import ProfilePageFactory

    return ProfilePageFactory(parent=directory, name_ja="鈴木 花子", name_en="Hanako Suzuki").user


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
