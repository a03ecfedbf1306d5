"""import_members writes new profiles in batches: pages Wagtail must treat as normal ones."""

from wagtail.models import Page, PageLogEntry, ReferenceIndex
from wagtail.search.backends import get_search_backend
from wagtail.signals import page_published

import pytest
from allauth.account.models import EmailAddress

from profiles.importing import snapshot, stored_snapshots, validate_row
from profiles.models import Bureau, OverseasExperience, ProfileLanguage, ProfilePage, User
from profiles.signal_handlers import MEMBERS_GROUP
from profiles.tests.factories import ProfilePageFactory
from profiles.tests.test_import_members import member_row, run_import, write_jsonl
from search.models import MemberEvidence

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    """Batches of three, so a few rows make several batches and a partly filled last one."""
    monkeypatch.setattr("profiles.importing.CREATE_BATCH_SIZE", 3)


def rows(count, start=1, **overrides):
    return [
        member_row(f"N{number:05d}", f"new.member{number}@example.jp", **overrides)
        for number in range(start, start + count)
    ]


def assert_tree_is_valid():
    assert Page.find_problems() == ([], [], [], [], [])


def test_batched_pages_are_normal_live_wagtail_pages(member_client, directory, tmp_path):
    published = []

    def note(sender, instance, revision, **kwargs):
        published.append((instance.pk, revision.pk))

    page_published.connect(note, sender=ProfilePage)
    try:
        lines = rows(7, languages=[{"language": "en", "level": "B2", "test": "IELTS", "score": 7}])
        out, err, error = run_import(write_jsonl(tmp_path / "members.jsonl", lines))
    finally:
        page_published.disconnect(note, sender=ProfilePage)

    assert error is None, err
    assert "created 7, updated 0, unchanged 0, failed 0" in out
    assert_tree_is_valid()
    directory.refresh_from_db()
    assert directory.numchild == 8  # the signed-in member's profile and the seven new ones
    pages = list(ProfilePage.objects.filter(external_id__startswith="N").order_by("path"))
    assert [page.external_id for page in pages] == [f"N{n:05d}" for n in range(1, 8)]
    assert sorted(published) == sorted((page.pk, page.live_revision_id) for page in pages)
    for page, row in zip(pages, lines, strict=True):
        assert page.live and not page.has_unpublished_changes
        assert page.first_published_at and page.last_published_at
        assert page.live_revision_id == page.latest_revision_id
        assert page.revisions.count() == 1
        # The revision holds the member as imported, children included.
        revision_page = page.live_revision.as_object()
        assert snapshot(revision_page).comparable() == validate_row(row).comparable()
        assert snapshot(page).comparable() == validate_row(row).comparable()
        assert page.draft_title == page.title == "山田 太郎"
        assert page.url_path == f"{directory.url_path}{page.slug}/"
        assert page.url.endswith(f"/members/{page.slug}/")
        assert page.owner == page.user and not page.user.has_usable_password()
        assert page.user.groups.filter(name=MEMBERS_GROUP).exists()
        assert EmailAddress.objects.get(user=page.user, verified=True, primary=True)
        assert PageLogEntry.objects.filter(page=page, action="wagtail.create").count() == 1
        assert MemberEvidence.objects.filter(profile=page).exists()

    page = pages[0]
    response = member_client.get(page.url)
    assert response.status_code == 200
    assert "Waternet" in response.content.decode()
    assert sorted(tag.name for tag in page.tags.all()) == ["English", "下水道管きょ更生"]
    assert page.languages.get(language="en").test_name == "IELTS"
    assert page.overseas_experiences.get().organisation == "Waternet"
    assert page.exchange_records.get().year == 2024
    found = get_search_backend().search("Waternet", ProfilePage)
    assert {result.pk for result in found} >= {page.pk for page in pages}


def test_bulk_reference_index_is_what_wagtail_records(directory, tmp_path):
    run_import(write_jsonl(tmp_path / "members.jsonl", rows(4)))
    page = ProfilePage.objects.get(external_id="N00004")

    def recorded():
        return set(
            ReferenceIndex.get_references_for_object(page).values_list(
                "content_type", "to_content_type", "to_object_id", "model_path", "content_path"
            )
        )

    bulk = recorded()
    ReferenceIndex.remove_for_object(page)
    ReferenceIndex.create_or_update_for_object(page)

    assert {model_path for *_rest, model_path, _path in bulk} == {
        "bureau",
        "job_category",
        "tagged_items.item.tag",
    }
    assert bulk == recorded()


def test_a_second_import_of_the_same_file_changes_nothing(directory, tmp_path):
    path = write_jsonl(tmp_path / "members.jsonl", rows(5))
    run_import(path)
    pages_before = list(Page.objects.order_by("path").values_list("pk", "path", "numchild"))
    revisions_before = sum(page.revisions.count() for page in ProfilePage.objects.all())

    out, _err, error = run_import(path)

    assert error is None
    assert "created 0, updated 0, unchanged 5, failed 0" in out
    assert list(Page.objects.order_by("path").values_list("pk", "path", "numchild")) == (
        pages_before
    )
    assert sum(page.revisions.count() for page in ProfilePage.objects.all()) == revisions_before


def test_a_conflicting_row_fails_alone_and_the_rest_of_its_batch_is_imported(directory, tmp_path):
    # Two conflicts only the database sees, so their whole batch fails and is redone row by
    # row: an account whose unverified address the row names already has a profile (the
    # batch fails on inserting the pages, after it made the new bureau), and an address that
    # another account holds as a verified secondary one (fails on inserting the addresses).
    signed_up = User.objects.create_user(email="signed.up@example.jp", password="secret-42")
    ProfilePageFactory(parent=directory, user=signed_up, external_id=f"self-{signed_up.pk}")
    holder = User.objects.create_user(email="holder@example.jp")
    EmailAddress.objects.create(user=holder, email="taken@example.jp", verified=True)
    new_bureau = {"bureau": "新設局"}
    lines = [
        member_row("N00001", "one@example.jp", **new_bureau),
        member_row("n00001", "two@example.jp"),  # the same page address as line 1
        member_row("N00003", "one@example.jp"),  # the email of line 1
        member_row("N00004", "signed.up@example.jp", **new_bureau),
        member_row("N00005", "five@example.jp", **new_bureau),
        member_row("N00006", "taken@example.jp"),
        member_row("N00007", "seven@example.jp", **new_bureau),
        member_row("N00008", "eight@example.jp"),
    ]

    out, err, error = run_import(write_jsonl(tmp_path / "members.jsonl", lines))

    assert error is not None
    assert "created 4, updated 0, unchanged 0, failed 4" in out
    assert "line 2: " in err and "n00001" in err
    assert "line 3: " in err and "one@example.jp" in err
    assert "line 4: " in err and "line 6: " in err
    assert err.index("line 2: ") < err.index("line 3: ") < err.index("line 4: ")
    imported = ProfilePage.objects.filter(external_id__startswith="N")
    assert set(imported.values_list("external_id", flat=True)) == {
        "N00001",
        "N00005",
        "N00007",
        "N00008",
    }
    assert not User.objects.filter(email__in=["two@example.jp", "taken@example.jp"]).exists()
    assert User.objects.get(email="signed.up@example.jp").has_usable_password()
    # The bureau made in the rolled-back batch is made again, and announced once.
    assert imported.filter(bureau=Bureau.objects.get(name_ja="新設局")).count() == 3
    assert out.count("新設局") + err.count("新設局") == 1
    assert_tree_is_valid()


def test_a_second_file_appends_to_the_directory_and_keeps_the_tree_valid(
    member, directory, tmp_path
):
    run_import(write_jsonl(tmp_path / "first.jsonl", rows(4)))
    ProfilePage.objects.get(external_id="N00002").delete()  # a gap among the children
    second = [
        member_row("N00001", "new.member1@example.jp", position="課長"),
        *rows(3, start=2),  # N00002 is made again, N00003 and N00004 are unchanged
        *rows(5, start=10),
    ]

    out, err, error = run_import(write_jsonl(tmp_path / "second.jsonl", second))

    assert error is None, err
    assert "created 6, updated 1, unchanged 2, failed 0" in out
    assert_tree_is_valid()
    directory.refresh_from_db()
    children = list(directory.get_children().specific())
    assert directory.numchild == len(children) == 1 + 3 + 6
    assert children[0].pk == member.profile.pk
    assert [page.external_id for page in children[-6:]] == [
        "N00002",
        *(f"N{n:05d}" for n in range(10, 15)),
    ]
    assert ProfilePage.objects.get(external_id="N00001").position == "課長"
    for page in children:
        assert page.live and page.url_path == f"{directory.url_path}{page.slug}/"


def test_a_dry_run_reports_an_address_clash_and_writes_nothing(directory, tmp_path):
    lines = [member_row("N00001", "one@example.jp"), member_row("n00001", "two@example.jp")]

    out, err, error = run_import(write_jsonl(tmp_path / "members.jsonl", lines), "--dry-run")

    assert error is not None
    assert "would have created 1" in out and "line 2: " in err
    assert not ProfilePage.objects.exists()
    assert not User.objects.filter(email__endswith="@example.jp").exists()


def test_the_snapshots_read_in_bulk_are_each_pages_snapshot(member, directory, tmp_path):
    """The import reads what is stored a table at a time to tell unchanged rows from changed
    ones; it must read what snapshot(page) reads from each page."""
    run_import(write_jsonl(tmp_path / "members.jsonl", rows(3)))
    edited = member.profile  # saved through Wagtail, children in the order the editor gave
    edited.tags.add("橋梁")
    edited.languages = [
        ProfileLanguage(language="en", level="C1", test_name="TOEIC", score=905, sort_order=0),
        ProfileLanguage(language="fr", level="A2", sort_order=1),
    ]
    edited.overseas_experiences = [OverseasExperience(country="DE", year=2018, sort_order=0)]
    edited.save()

    stored = {pk: record.comparable() for pk, record in stored_snapshots().items()}

    pages = ProfilePage.objects.all()
    assert stored == {page.pk: snapshot(page).comparable() for page in pages}
    assert len(stored) == 4 and stored[edited.pk]["languages"][1]["language"] == "fr"
