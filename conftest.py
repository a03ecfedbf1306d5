"""Fixtures shared by every test: the page tree and signed-in members."""

import datetime

from django.core.cache import cache

import pytest
import time_machine

from home.site_structure import ensure_site_structure
from profiles.reference_data import seed_reference_data

# Fixtures more than one app's tests use.
pytest_plugins = [
    "profiles.tests.privacy_fixtures",
    "search.tests.engine_fixtures",
    "search.tests.match_fixtures",
]


def pytest_addoption(parser):
    parser.addoption(
        "--clock-ahead-days",
        type=int,
        default=0,
        help="run every test with the clock moved this many days ahead (date-dependence check)",
    )


def pytest_collection_modifyitems(items):
    """A test that uses the real engine or browser carries its marker, however it got the
    fixture, so `-m "not engine and not browser"` (bin/test's SQLite run) leaves it out."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "engine" in fixtures:
            item.add_marker(pytest.mark.engine)
        if "chromium" in fixtures:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(autouse=True)
def clock_ahead(request):
    """`pytest --clock-ahead-days 365` runs the suite as if it were a year from now."""
    days = request.config.getoption("--clock-ahead-days")
    if not days:
        yield
        return
    with time_machine.travel(datetime.timedelta(days=days), tick=True):
        yield


@pytest.fixture(autouse=True)
def isolated_media_and_cache(settings, tmp_path_factory):
    """Each test gets an empty cache and its own media folder (Wagtail caches renditions)."""
    settings.MEDIA_ROOT = str(tmp_path_factory.mktemp("media"))
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fresh_evidence_index():
    """The matchers' in-memory evidence and the glossary start afresh in every test."""
    from search.database_matching import reset_index
    from search.engine import forget_evidence
    from search.glossary import forget_vocabulary

    reset_index()
    forget_evidence()
    forget_vocabulary()  # curated tags of an earlier test are rolled back with its database
    yield
    reset_index()
    forget_vocabulary()


@pytest.fixture
def directory(db):
    """The members directory under the home page (created like load_demo does)."""
    # Migrations seed this data, but a transactional (browser) test's flush removes it.
    seed_reference_data()
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


@pytest.fixture
def catalogue(directory):
    """The destination catalogue under the home page, set up as load_demo does."""
    from studyabroad.demo import ensure_catalogue

    return ensure_catalogue(directory.get_parent().specific)
