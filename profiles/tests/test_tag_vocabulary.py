"""The curated expertise vocabulary: merging duplicates, synonyms feeding matching, labels in
the tag autocomplete, and who may curate."""

from django.core.management import call_command

from taggit.models import Tag

import pytest

from community.demo import ensure_community
from community.models import CategoryPage, DiscussionPostPage
from profiles.models import ProfilePage, TagCuration
from profiles.tests.factories import ProfilePageFactory, UserFactory
from profiles.tests.privacy_fixtures import publish_with_evidence
from search.models import MemberEvidence
from studyabroad.tests.factories import StudyDestinationPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme_admin(db):
    return UserFactory(groups=["Programme admins"])


def tagged_profile(directory, external_id: str, name_ja: str, tags: list[str]) -> ProfilePage:
    page = ProfilePageFactory(
        parent=directory, external_id=external_id, name_ja=name_ja, bio_ja="", bio_en=""
    )
    page.tags.set(tags)
    publish_with_evidence(page)
    return page


@pytest.fixture
def duplicates(directory, catalogue):
    """橋梁, 橋 and bridges on two profiles, a post and a destination."""
    first = tagged_profile(directory, "V00001", "橋本 一", ["橋"])
    second = tagged_profile(directory, "V00002", "橋田 二", ["bridges", "橋梁", "下水道"])
    category = CategoryPage.objects.child_of(ensure_community(directory.get_parent().specific))[0]
    post = category.add_child(
        instance=DiscussionPostPage(title="長大橋の点検", author=first.user, body="点検の報告")
    )
    post.tags.set(["橋"])
    post.save_revision().publish()
    destination = StudyDestinationPageFactory(parent=catalogue, fields=["bridges"])
    return {"first": first, "second": second, "post": post, "destination": destination}


def tag_names(page) -> set[str]:
    return set(type(page).objects.get(pk=page.pk).tags.names())


def merge_through_admin(client, user, keep: str, *others: str):
    client.force_login(user)
    ids = [Tag.objects.get(name=name).pk for name in (keep, *others)]
    confirm = client.get("/admin/vocabulary/merge/", {"tags": ids})
    response = client.post(
        "/admin/vocabulary/merge/", {"tags": ids, "keep": Tag.objects.get(name=keep).pk}
    )
    return confirm, response


def test_merge_moves_every_reference_and_keeps_the_old_names(
    client, programme_admin, duplicates, django_capture_on_commit_callbacks
):
    uses_before = {
        page.pk: len(tag_names(page))
        for page in (duplicates["first"], duplicates["second"], duplicates["post"])
    }
    with django_capture_on_commit_callbacks(execute=True):
        confirm, response = merge_through_admin(client, programme_admin, "橋梁", "橋", "bridges")

    assert confirm.status_code == 200 and "橋梁" in confirm.content.decode()
    assert response.status_code == 302
    assert not Tag.objects.filter(name__in=["橋", "bridges"]).exists()
    assert tag_names(duplicates["first"]) == {"橋梁"}
    assert tag_names(duplicates["second"]) == {"橋梁", "下水道"}  # one 橋梁, nothing else lost
    assert tag_names(duplicates["post"]) == {"橋梁"}
    assert set(
        duplicates["destination"]
        .__class__.objects.get(pk=duplicates["destination"].pk)
        .fields_of_study.names()
    ) == {"橋梁"}
    assert len(tag_names(duplicates["first"])) == uses_before[duplicates["first"].pk]
    # Older revisions cannot bring a deleted tag back.
    latest = ProfilePage.objects.get(pk=duplicates["first"].pk).get_latest_revision_as_object()
    assert [tag.name for tag in latest.tags.all()] == ["橋梁"]
    curation = TagCuration.objects.get(tag__name="橋梁")
    assert set(curation.alias_list) == {"橋", "bridges"}
    # The matching evidence followed.
    evidence = MemberEvidence.objects.get(profile=duplicates["first"])
    assert evidence.data["texts"]["tags"] == ["橋梁"]


def test_searching_for_either_old_tag_finds_the_member_after_a_merge(
    client, programme_admin, duplicates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        merge_through_admin(client, programme_admin, "橋梁", "橋", "bridges")
    manager = UserFactory(groups=["Managers"])
    client.force_login(manager)

    for old_name in ("橋", "bridges"):
        found = client.get("/api/v1/experts/", {"q": old_name}).json()["results"]
        assert {"V00001", "V00002"} <= {r["external_id"] for r in found}, old_name


def test_only_programme_admins_curate(client, duplicates):
    client.force_login(UserFactory())

    refused = client.get("/admin/vocabulary/")
    # A member has no admin access: Wagtail sends them to the sign-in page.
    assert refused.status_code == 302
    assert refused["Location"] == "/accounts/login/?next=/admin/vocabulary/"
    merge_through_admin(client, UserFactory(), "橋梁", "橋")
    assert Tag.objects.filter(name="橋").exists()


def test_vocabulary_lists_usage_counts(client, programme_admin, duplicates):
    client.force_login(programme_admin)

    body = client.get("/admin/vocabulary/", {"q": "橋"}, HTTP_ACCEPT_LANGUAGE="en")

    rows = body.content.decode()
    assert "橋梁" in rows and "下水道" not in rows
    tags = {tag.name: tag for tag in body.context["tags"]}
    assert tags["橋"].uses_profiles_profiletag == 1 and tags["橋"].uses_community_posttag == 1
    assert tags["橋"].uses == 2


@pytest.mark.parametrize(
    "backend", ["database", pytest.param("opensearch", marks=pytest.mark.engine)]
)
def test_a_curated_synonym_improves_matching_without_a_deployment(
    request, client, programme_admin, directory, backend, django_capture_on_commit_callbacks
):
    surveyor = tagged_profile(directory, "V00010", "測量 三", ["干渉SAR解析"])
    Tag.objects.create(name="InSAR", slug="insar")
    if backend == "opensearch":
        request.getfixturevalue("engine")
        call_command("rebuild_match_index")
    manager = UserFactory(groups=["Managers"])

    def match():
        client.force_login(manager)
        body = {"text": "InSAR monitoring of the river banks"}
        response = client.post("/api/v1/match/", body, content_type="application/json")
        return response.json()

    assert surveyor.external_id not in [r["external_id"] for r in match()["results"]]
    client.force_login(programme_admin)
    insar = Tag.objects.get(name="InSAR")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/admin/vocabulary/{insar.pk}/", {"synonym_of_name": "干渉SAR解析"})

    after = match()
    assert after["backend"] == backend
    assert after["results"][0]["external_id"] == surveyor.external_id
    assert any("干渉SAR解析" in reason for reason in after["results"][0]["reasons"]), after


def test_autocomplete_matches_labels_merged_names_and_synonyms(client, member, duplicates):
    bridge = Tag.objects.get(name="橋梁")
    TagCuration.objects.create(tag=bridge, label_ja="橋梁", label_en="bridge")
    TagCuration.objects.create(tag=Tag.objects.get(name="bridges"), synonym_of=bridge)
    client.force_login(member)
    directory_url = duplicates["first"].get_parent().url

    def suggestions(term):
        response = client.get(f"{directory_url}tag-autocomplete/", {"q": term}).json()
        return response["suggestions"]

    assert suggestions("bridge")[0] == {"name": "橋梁", "label": "橋梁 / bridge"}
    assert [s["name"] for s in suggestions("bridges")] == ["橋梁"]  # the synonym's tag
    assert suggestions("下水")[0]["name"] == "下水道"


def test_synonym_form_explains_bad_input(client, programme_admin, duplicates):
    client.force_login(programme_admin)
    bridge = Tag.objects.get(name="橋梁")

    unknown = client.post(
        f"/admin/vocabulary/{bridge.pk}/",
        {"synonym_of_name": "存在しない"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    itself = client.post(
        f"/admin/vocabulary/{bridge.pk}/", {"synonym_of_name": "橋梁"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "There is no tag called “存在しない”." in unknown.content.decode()
    assert "A tag cannot be a synonym of itself." in itself.content.decode()
    assert not TagCuration.objects.filter(tag=bridge, synonym_of__isnull=False).exists()
