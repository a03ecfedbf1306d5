"""The search indexes heal by themselves: the reconciliation (search.reconciliation) finds what
the member index and site search missed while the engine was down and repairs it, on the real
OpenSearch node and on Wagtail's database backend; meanwhile matching never reveals a field
made private since the engine's copy was written."""

import io
from contextlib import contextmanager

from django.core.management import CommandError, call_command

from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

import pytest

from community.models import DiscussionPostPage
from profiles.models import ProfilePage
from profiles.privacy import Visibility
from profiles.tests.factories import ProfilePageFactory
from profiles.tests.privacy_fixtures import publish_with_evidence
from search.engine import OpenSearchMemberIndex
from search.matching import MatchQuery
from search.models import MemberEvidence, SiteSearchBacklog
from search.reconciliation import reconcile_all, reconcile_member_index, reconcile_site_search
from search.site_search import used_fallback
from search.sync import sync_profiles
from search.tests.test_site_search_fallback import REFUSING_URL, discussion, use_site_search_at

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def engine_back_off_cleared():
    """A refused request sets the shared back-off: start and end each test without one."""
    OpenSearchMemberIndex.reset_availability()
    yield
    OpenSearchMemberIndex.reset_availability()


@contextmanager
def engine_refusing(settings):
    """Inside: every engine request (member index and site search) is refused; afterwards the
    engine answers again at once (no back-off left)."""
    url, backends = settings.SEARCH_URL, settings.WAGTAILSEARCH_BACKENDS
    settings.SEARCH_URL = REFUSING_URL
    if backends["default"]["BACKEND"] == "search.site_search":
        settings.WAGTAILSEARCH_BACKENDS = {
            **backends,
            "default": {**backends["default"], "URLS": [REFUSING_URL]},
        }
    try:
        yield
    finally:
        settings.SEARCH_URL, settings.WAGTAILSEARCH_BACKENDS = url, backends
        OpenSearchMemberIndex.reset_availability()


@contextmanager
def engine_not_told(settings):
    """Inside: changes reach the database backend only, as if the engine's write were lost."""
    url, backends = settings.SEARCH_URL, settings.WAGTAILSEARCH_BACKENDS
    settings.SEARCH_URL = ""
    settings.WAGTAILSEARCH_BACKENDS = {
        name: {**params, "AUTO_UPDATE": params["BACKEND"] != "search.site_search"}
        for name, params in backends.items()
    }
    try:
        yield
    finally:
        settings.SEARCH_URL, settings.WAGTAILSEARCH_BACKENDS = url, backends


def repair_of(repairs, index: str):
    return next(repair for repair in repairs if repair.index == index)


def counts(repair) -> tuple:
    return repair.documents, repair.written, repair.removed, repair.error


def profile(directory, external_id: str, **fields) -> ProfilePage:
    page = ProfilePageFactory(parent=directory, external_id=external_id, **fields)
    publish_with_evidence(page)
    return page


def member_ids(engine, text: str, audience: str = "members") -> list[str]:
    return [r.external_id for r in engine.match(MatchQuery(text=text, audience=audience))]


# --- member index ----------------------------------------------------------------------------


@pytest.fixture
def indexed(engine, directory, settings):
    """Two members with evidence, both in the engine's member index (sent in one request)."""
    with engine_not_told(settings):
        pages = [profile(directory, "R00001"), profile(directory, "R00002")]
    engine.sync([page.pk for page in pages])
    assert set(engine.document_versions()) == {page.pk for page in pages}
    return pages


def test_a_document_deleted_behind_the_sites_back_is_written_again(engine, indexed):
    """A member document removed from the engine directly is written again."""
    lost = indexed[0]
    engine.client.delete(index=engine.alias, id=str(lost.pk), refresh=True)

    repair = reconcile_member_index(engine)

    assert counts(repair) == (2, 1, 0, "")
    assert engine.document_versions()[lost.pk] == MemberEvidence.objects.get(profile=lost).version


def test_a_document_older_than_its_evidence_is_rewritten(engine, indexed, settings):
    """Evidence changed while the engine refused is rewritten with the current version."""
    page = indexed[1]
    with engine_refusing(settings):
        page.bio_en = "Planned the hydrogen energy pilot for the ward offices."
        publish_with_evidence(page)
    row = MemberEvidence.objects.get(profile=page)
    assert engine.document_versions()[page.pk] == row.engine_version < row.version

    repair = reconcile_member_index(engine)

    row.refresh_from_db()
    assert counts(repair) == (2, 1, 0, "")
    assert engine.document_versions()[page.pk] == row.version == row.engine_version
    assert member_ids(engine, "hydrogen energy") == ["R00002"]


def test_the_document_of_a_member_gone_is_removed(engine, indexed, settings):
    """A document whose member has no evidence any more (unpublished while the engine
    refused) is removed."""
    page = indexed[0]
    with engine_refusing(settings):
        page.unpublish()
        sync_profiles([page.pk])
    assert not MemberEvidence.objects.filter(profile=page).exists()

    repair = reconcile_member_index(engine)

    assert counts(repair) == (1, 0, 1, "")
    assert set(engine.document_versions()) == {indexed[1].pk}


def test_a_second_run_repairs_nothing(engine, indexed):
    """An engine that lost its index gets every member back, and a second run finds nothing."""
    engine.delete_all()

    first = reconcile_member_index(engine)
    second = reconcile_member_index(engine)

    assert counts(first) == (2, 2, 0, "")
    assert counts(second) == (2, 0, 0, "")
    assert set(engine.document_versions()) == {page.pk for page in indexed}


def test_writes_the_engine_refuses_are_reported_and_retried(engine, indexed, settings):
    """When the engine answers but refuses to write the member index, the repair reports an
    error, the evidence stays marked as behind, and the next run writes it."""
    page = indexed[1]
    with engine_refusing(settings):
        page.bio_en = "Planned the hydrogen energy pilot for the ward offices."
        publish_with_evidence(page)
    engine.client.indices.put_settings(index=engine.alias, body={"index.blocks.write": True})
    try:
        refused = reconcile_member_index(engine)
    finally:
        engine.client.indices.put_settings(index=engine.alias, body={"index.blocks.write": None})
    row = MemberEvidence.objects.get(profile=page)
    assert "cluster_block_exception" in refused.error
    assert row.engine_version < row.version

    repair = reconcile_member_index(engine)

    assert counts(repair) == (2, 1, 0, "")
    assert engine.document_versions()[page.pk] == row.version


@pytest.mark.parametrize("where", ["refusing", "hung"])
def test_an_unreachable_engine_is_reported_not_raised(
    directory,
    settings,
    where,
    hung_engine_url,
):
    """With the engine refusing or hung, the member repair reports an error and raises nothing."""
    settings.SEARCH_URL = REFUSING_URL if where == "refusing" else hung_engine_url
    settings.SEARCH_TIMEOUT_SECONDS = 0.3
    profile(directory, "R00003")

    members = repair_of(reconcile_all(), "members")

    assert members.error == "OpenSearch is not answering" and not members.in_step
    assert (members.written, members.removed) == (0, 0)
    assert MemberEvidence.objects.get(profile__external_id="R00003").engine_version == 0


# --- matching on an outdated document --------------------------------------------------------


@pytest.fixture
def bio_made_private_while_down(engine, directory, settings):
    """A member's bio was shared with all members when indexed; they then shared it with
    managers only, and the engine's update was refused: the engine holds the old document."""
    with engine_not_told(settings):
        page = ProfilePageFactory(
            parent=directory,
            external_id="R00010",
            bio_ja="",
            bio_en="Twenty years on pneumatic caisson foundations with Primavera schedules.",
        )
        page.tags.set(["下水道管きょ更生"])
        publish_with_evidence(page)
    engine.sync([page.pk])
    assert member_ids(engine, "pneumatic caisson") == ["R00010"]
    assert member_ids(engine, "Primavera") == ["R00010"]
    with engine_refusing(settings):
        page.visibility_bio = Visibility.STAFF
        publish_with_evidence(page)
    row = MemberEvidence.objects.get(profile=page)
    assert "bio" in row.data["hidden_from_members"]
    assert engine.document_versions()[page.pk] < row.version
    return page


def test_a_field_made_private_since_the_engine_copy_is_not_matched(
    engine, bio_made_private_while_down
):
    """A term only in a field made private since the engine's copy matches no member."""
    assert member_ids(engine, "pneumatic caisson") == []
    assert member_ids(engine, "Primavera") == []  # a word outside the glossary neither
    assert member_ids(engine, "pneumatic caisson", audience="staff") == ["R00010"]


def test_a_still_public_field_matches_without_quoting_the_private_one(
    engine, bio_made_private_while_down
):
    """A term in a still-public field still matches, and the reasons quote nothing private."""
    results = engine.match(MatchQuery(text="sewer rehabilitation, pneumatic caisson, Primavera"))

    assert [r.external_id for r in results] == ["R00010"]
    reasons = " ".join(results[0].reasons)
    assert "管きょ更生" in reasons, results[0].reasons  # the public tag
    assert "caisson" not in reasons.lower() and "Primavera" not in reasons


def test_a_field_kept_to_the_member_alone_since_matches_for_no_one(engine, directory, settings):
    """A field the member now keeps to themself matches for managers neither, while the
    engine is behind."""
    with engine_not_told(settings):
        page = profile(
            directory, "R00011", bio_ja="", bio_en="Twenty years on pneumatic caisson foundations."
        )
    engine.sync([page.pk])
    assert member_ids(engine, "pneumatic caisson", audience="staff") == ["R00011"]
    with engine_refusing(settings):
        page.visibility_bio = Visibility.PRIVATE
        publish_with_evidence(page)

    assert member_ids(engine, "pneumatic caisson", audience="staff") == []
    assert member_ids(engine, "pneumatic caisson") == []


# --- site search on the engine ---------------------------------------------------------------


@pytest.fixture
def community(member):
    """The community pages (and the member's profile), as the site has them."""
    from community.demo import ensure_community

    return ensure_community(member.profile.get_parent().get_parent().specific)


@pytest.fixture
def site_search_on_engine(engine, settings):
    """Site search configured as production does with SEARCH_URL, on the real node, with the
    site's pages in it and the indexes in step; the test's Wagtail indexes are deleted after."""
    use_site_search_at(
        settings, settings.SEARCH_URL, timeout=10, prefix=settings.SEARCH_INDEX_PREFIX
    )
    backend = get_search_backend()
    yield backend
    for index in engine.client.indices.get(index=f"{settings.SEARCH_INDEX_PREFIX}_wagtail_*"):
        engine.client.indices.delete(index=index)


@pytest.fixture
def in_step(site_search_on_engine, community):
    """The site's pages on the engine, every index in step and searchable."""
    assert all(repair.in_step for repair in reconcile_all())
    refresh(site_search_on_engine)
    return site_search_on_engine


def refresh(backend) -> None:
    """Make every write visible to searches and scans (the engine shows them within 1 s)."""
    backend.es.indices.refresh(index=f"{backend.index_prefix}*")


def page_index(backend) -> str:
    return backend.get_index_for_model(DiscussionPostPage).name


def in_engine(backend, page) -> bool:
    """Whether the engine holds the page's document (a real-time read, no refresh needed)."""
    return bool(backend.es.exists(index=page_index(backend), id=str(page.pk)))


def found(backend, text: str) -> list[int]:
    refresh(backend)
    results = backend.search(text, DiscussionPostPage)
    pks = [page.pk for page in results]
    assert not used_fallback(results)
    return pks


def test_a_page_saved_while_the_engine_refused_is_written_from_the_backlog(
    in_step, member, settings
):
    """A page whose engine write was refused is recorded, then written once the engine is
    back; the backlog empties and the engine finds the page."""
    backend = in_step
    with engine_refusing(settings):
        post = discussion(member, "Sludge dewatering guide", "Screw presses compared")
    assert list(SiteSearchBacklog.objects.values_list("object_id", flat=True)) == [str(post.pk)]
    assert not in_engine(backend, post)

    repairs = reconcile_all()

    assert counts(repair_of(repairs, "site search backlog")) == (0, 1, 0, "")
    assert not SiteSearchBacklog.objects.exists()
    assert all(repair.in_step for repair in repairs), repairs
    assert in_engine(backend, post)
    assert found(get_search_backend(), "dewatering") == [post.pk]


def test_a_page_deleted_while_the_engine_refused_is_removed_from_the_backlog(
    in_step, member, settings
):
    """A page whose engine delete was refused is recorded, then removed from the engine."""
    backend = in_step
    post = discussion(member, "Sludge dewatering guide", "Screw presses compared")
    assert in_engine(backend, post)
    with engine_refusing(settings):
        post.delete()
    assert SiteSearchBacklog.objects.count() == 1

    backlog = repair_of(reconcile_all(), "site search backlog")

    assert counts(backlog) == (0, 0, 1, "")
    assert not SiteSearchBacklog.objects.exists() and not in_engine(backend, post)
    assert found(backend, "dewatering") == []


def test_the_engine_document_of_a_deleted_page_is_removed(in_step, member, settings):
    """An engine document whose page is gone (the engine was never told) is removed."""
    backend = in_step
    kept = discussion(member, "Sludge dewatering guide", "Screw presses compared")
    gone = discussion(member, "Old dewatering notes", "Belt presses")
    with engine_not_told(settings):
        gone.delete()
    refresh(backend)
    assert in_engine(backend, gone) and not SiteSearchBacklog.objects.exists()

    repair = repair_of(reconcile_all(), "site search (default)")

    assert (repair.written, repair.removed, repair.error) == (0, 1, "")
    assert not in_engine(backend, gone) and in_engine(backend, kept)
    assert found(backend, "dewatering") == [kept.pk]


def test_a_page_missing_from_the_engine_is_written_and_a_second_run_repairs_nothing(
    in_step, member
):
    """A page whose engine document is missing is written; once in step, nothing is repaired."""
    backend = in_step
    post = discussion(member, "Sludge dewatering guide", "Screw presses compared")
    backend.es.delete(index=page_index(backend), id=str(post.pk), refresh=True)
    assert found(backend, "dewatering") == []

    first = repair_of(reconcile_all(), "site search (default)")
    refresh(backend)
    second = reconcile_all()

    assert (first.written, first.removed, first.error) == (1, 0, "")
    assert in_engine(backend, post) and found(backend, "dewatering") == [post.pk]
    assert [(r.index, r.written, r.removed, r.error) for r in second] == [
        ("members", 0, 0, ""),
        ("site search backlog", 0, 0, ""),
        ("site search (default)", 0, 0, ""),
        ("site search (database)", 0, 0, ""),
    ]


@contextmanager
def writes_blocked(backend):
    """Inside: the engine answers but refuses to write to the page index (as when its disk is
    full and it blocks writes)."""
    backend.es.indices.put_settings(index=page_index(backend), body={"index.blocks.write": True})
    try:
        yield
    finally:
        backend.es.indices.put_settings(
            index=page_index(backend), body={"index.blocks.write": None}
        )


def test_a_write_the_engine_refuses_is_reported_and_stays_in_the_backlog(in_step, member, settings):
    """When the engine answers but refuses the writes, the repairs report it (nothing counted
    as written), the backlog keeps its entry, and the next run writes it."""
    backend = in_step
    with engine_refusing(settings):
        post = discussion(member, "Sludge dewatering guide", "Screw presses compared")

    with writes_blocked(backend):
        repairs = reconcile_all()
    later = reconcile_all()

    backlog = repair_of(repairs, "site search backlog")
    engine_index = repair_of(repairs, "site search (default)")
    assert "cluster_block_exception" in backlog.error and backlog.written == 0
    assert engine_index.written == 0
    assert engine_index.error.startswith("BulkIndexError: 1 document(s) not written")
    assert "cluster_block_exception" in engine_index.error and "Sludge" not in engine_index.error
    assert counts(repair_of(later, "site search backlog")) == (0, 1, 0, "")
    assert not SiteSearchBacklog.objects.exists() and in_engine(backend, post)


# --- site search on Wagtail's database backend -----------------------------------------------


@pytest.fixture
def indexed_post(community, member):
    """A discussion post in Wagtail's database index (the site's default without SEARCH_URL),
    the index in step with the pages (the migrations' root page is not in it at first)."""
    reconcile_site_search()
    post = discussion(member, "Sludge dewatering guide", "Screw presses compared")
    assert entries_of(post).exists()
    return post


def entries_of(page):
    from django.contrib.contenttypes.models import ContentType

    return IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(DiscussionPostPage), object_id=str(page.pk)
    )


def found_in_database(text: str) -> list[int]:
    return [page.pk for page in get_search_backend().search(text, DiscussionPostPage)]


def test_a_missing_index_entry_is_added_back(indexed_post):
    """A page whose index entry is gone gets it back and is found again."""
    entries_of(indexed_post)._raw_delete(using="default")
    assert found_in_database("dewatering") == []

    first = repair_of(reconcile_site_search(), "site search (default)")
    second = repair_of(reconcile_site_search(), "site search (default)")

    assert (first.written, first.removed, first.error) == (1, 0, "")
    assert found_in_database("dewatering") == [indexed_post.pk]
    assert (second.written, second.removed, second.error) == (0, 0, "")


def test_an_index_entry_without_its_page_is_removed(indexed_post):
    """An index entry whose object does not exist is removed; the page's own entry stays."""
    ghost = entries_of(indexed_post).get()
    ghost.pk, ghost.object_id = None, "987654321"
    ghost.save()

    first = repair_of(reconcile_site_search(), "site search (default)")
    second = repair_of(reconcile_site_search(), "site search (default)")

    assert (first.written, first.removed, first.error) == (0, 1, "")
    assert not IndexEntry.objects.filter(object_id="987654321").exists()
    assert entries_of(indexed_post).exists()
    assert found_in_database("dewatering") == [indexed_post.pk]
    assert (second.written, second.removed, second.error) == (0, 0, "")


# --- manage.py reconcile_indexes -------------------------------------------------------------


def test_the_command_prints_each_index(site_search_on_engine, member, settings):
    """`manage.py reconcile_indexes` prints one line per index with what it did."""
    with engine_not_told(settings):
        publish_with_evidence(member.profile)
    out = io.StringIO()

    call_command("reconcile_indexes", stdout=out)

    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "members",
        "site search backlog",
        "site search (default)",
        "site search (database)",
    ]
    assert lines[0] == "members: 1 documents, 1 written, 0 removed"
    assert all("not done" not in line for line in lines)


def test_the_command_fails_when_an_index_reports_an_error(member, settings):
    """With the engine unreachable the command prints why and exits with an error."""
    settings.SEARCH_URL = REFUSING_URL
    out = io.StringIO()

    with pytest.raises(CommandError):
        call_command("reconcile_indexes", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0] == (
        "members: 0 documents, 0 written, 0 removed — not done: OpenSearch is not answering"
    )
    assert lines[1].startswith("site search (default): ") and "not done" not in lines[1]
