"""Synonym proposals mined from the members' own profiles, and their curation in the admin."""

from django.contrib.auth.models import Permission
from django.core.management import call_command

from taggit.models import Tag

import pytest

from profiles.models import SynonymProposal, TagCuration
from profiles.privacy import Visibility
from profiles.synonym_proposals import refresh_proposals
from profiles.tests.factories import ProfilePageFactory, UserFactory
from search.glossary import get_glossary

pytestmark = pytest.mark.django_db

Kind, Status = SynonymProposal.Kind, SynonymProposal.Status
PROPOSALS_URL = "/admin/vocabulary/proposals/"


def profile(directory, external_id, tags=(), bio_ja="", bio_en="", **fields):
    fields.setdefault("name_ja", "佐藤 一郎")
    fields.setdefault("name_en", "Ichiro Sato")
    return ProfilePageFactory(
        parent=directory,
        external_id=external_id,
        bio_ja=bio_ja,
        bio_en=bio_en,
        tags=list(tags),
        **fields,
    )


@pytest.fixture
def members(directory):
    """Members whose profiles carry the evidence of each kind, and some that carry none."""
    made = {"sand": [], "leak": [], "private": []}
    # Background: ordinary work, so that a word of a few profiles stands out.
    profile(
        directory, "S00001", ["道路"], "道路の維持管理を担当。", "Road maintenance and drainage."
    )
    profile(directory, "S00002", ["下水道"], "下水道管の更生を担当。", "Sewer pipe rehabilitation.")
    profile(
        directory, "S00003", ["水道"], bio_en="Water supply planning.", name_ja="小林 健",
        name_en="Ken Kobayashi",
    )  # fmt: skip
    profile(directory, "S00004", ["水道"], bio_en="Water treatment plants.")
    profile(directory, "S00005", ["水道"], bio_en="Water distribution.")
    profile(directory, "S00006", ["漏水"])  # the tag that stands for the leakage concept
    # Tags vs biographies: 噴砂 members keep writing "sand boils" in English.
    for number, detail in enumerate(["after the earthquake", "along the river", "in 2019"]):
        made["sand"].append(
            profile(
                directory,
                f"S0001{number}",
                ["噴砂"],
                "小林さんと交通局で2019年から調査。",
                f"I was responsible for mapping sand boils {detail} with Kobayashi since 2019.",
            )
        )
    # Japanese and English in one profile: the English bio names leak detection, the
    # Japanese one the listening rod that does it.
    for number, place in enumerate(["配水管", "給水管", "配水本管"]):
        made["leak"].append(
            profile(
                directory,
                f"S0002{number}",
                bio_ja=f"夜間に音聴棒で{place}を巡回。",
                bio_en="Night-time leak detection in distribution mains.",
            )
        )
    # Compound heads: 歩道除雪 and PS-InSAR build on tags of their own.
    for number in range(3):
        profile(directory, f"S0003{number}", ["除雪", "InSAR"])
    profile(directory, "S00040", ["歩道除雪", "除雪"])
    profile(directory, "S00041", ["PS-InSAR"])
    profile(directory, "S00042", ["下水道"])
    # Biographies their members keep to themselves.
    for number in range(3):
        made["private"].append(
            profile(
                directory,
                f"S0005{number}",
                ["雪氷"],
                bio_en="Measured firn density in snow pits.",
                visibility_bio=Visibility.PRIVATE,
            )
        )
    return made


@pytest.fixture
def programme_admin(db):
    return UserFactory(groups=["Programme admins"])


def proposals() -> dict[tuple[str, str], SynonymProposal]:
    return {(p.tag.name, p.form): p for p in SynonymProposal.objects.select_related("tag")}


def proposal(tag: str, form: str) -> SynonymProposal:
    return SynonymProposal.objects.get(tag__name=tag, form=form)


def shown_messages(client) -> list[str]:
    response = client.get(PROPOSALS_URL, HTTP_ACCEPT_LANGUAGE="en")
    return [str(message).strip() for message in response.context["messages"]]


def test_a_tags_profiles_other_language_words_are_proposed(members):
    refresh_proposals()

    found = proposals()
    sand = found[("噴砂", "sand boil")]
    assert sand.kind == Kind.BIOGRAPHY and sand.status == Status.PROPOSED
    assert sand.support == 3
    assert set(sand.evidence) == {page.pk for page in members["sand"]}
    forms_for_sand = {form for tag, form in found if tag == "噴砂"}
    # The phrase, not its words; no stop words, names, bureaus, numbers or known concepts.
    assert forms_for_sand.isdisjoint(
        {"sand", "boil", "responsible", "kobayashi", "小林", "交通局", "earthquake", "river"}
    )
    assert not any(char.isdigit() for form in forms_for_sand for char in form)


def test_a_word_the_other_biography_uses_for_a_known_term_is_proposed(members):
    refresh_proposals()

    leak = proposal("漏水", "音聴棒")
    assert leak.kind == Kind.BILINGUAL
    assert leak.support == 3
    assert set(leak.evidence) <= {page.pk for page in members["leak"]}


def test_compound_tags_are_proposed_for_their_head_unless_the_glossary_knows_both(members):
    refresh_proposals()

    found = proposals()
    assert found[("除雪", "歩道除雪")].kind == Kind.COMPOUND
    assert found[("InSAR", "ps-insar")].kind == Kind.COMPOUND
    # 下水道 ends in 水道, but the glossary knows both as different things.
    assert ("水道", "下水道") not in found


def test_biographies_kept_private_are_not_mined(members):
    refresh_proposals()

    assert not SynonymProposal.objects.filter(tag__name="雪氷").exists()


def test_accepting_makes_the_form_a_synonym_that_matching_understands(
    client, programme_admin, members
):
    refresh_proposals()
    sand = proposal("噴砂", "sand boil")
    assert not get_glossary().concept_counts("mapping sand boils").keys() & {"tag:噴砂"}
    client.force_login(programme_admin)

    listing = client.get(PROPOSALS_URL, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(
        f"{PROPOSALS_URL}{sand.pk}/", {"action": "accept"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    page = listing.content.decode()
    assert "sand boil" in page and "mapping sand boils along the river" in page
    assert response.status_code == 302
    sand.refresh_from_db()
    assert sand.status == Status.ACCEPTED and sand.decided_by == programme_admin
    assert TagCuration.objects.get(tag__name="噴砂").alias_list == ["sand boil"]
    glossary = get_glossary()
    tag_concepts = set(glossary.concept_counts("噴砂"))
    assert tag_concepts and set(glossary.concept_counts("sand boils")) == tag_concepts
    assert shown_messages(client) == [
        "“sand boil” is now a synonym of “噴砂”; matching uses it from now on."
    ]


def test_accepting_twice_or_a_form_already_an_alias_is_harmless(client, programme_admin, members):
    leak_tag = Tag.objects.get(name="漏水")
    TagCuration.objects.create(tag=leak_tag, aliases="音聴棒")
    known = SynonymProposal.objects.create(tag=leak_tag, form="音聴棒", kind=Kind.BILINGUAL)
    client.force_login(programme_admin)

    for _ in range(2):
        response = client.post(
            f"{PROPOSALS_URL}{known.pk}/", {"action": "accept"}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 302

    assert TagCuration.objects.get(tag=leak_tag).aliases == "音聴棒"
    known.refresh_from_db()
    assert known.status == Status.ACCEPTED
    assert shown_messages(client) == [
        "“音聴棒” was already a synonym of “漏水”.",
        "“音聴棒” was already accepted for “漏水”.",
    ]


def test_a_rejected_form_is_never_proposed_again(client, programme_admin, members):
    first = refresh_proposals()
    sand = proposal("噴砂", "sand boil")
    client.force_login(programme_admin)

    client.post(f"{PROPOSALS_URL}{sand.pk}/", {"action": "reject"})
    result = refresh_proposals()
    again = client.get(PROPOSALS_URL)

    sand.refresh_from_db()
    assert sand.status == Status.REJECTED
    assert SynonymProposal.objects.filter(tag__name="噴砂", form="sand boil").count() == 1
    assert (result.found, result.new, result.kept) == (first.found - 1, 0, 1)  # not mined again
    assert sand not in again.context["proposals"]
    assert not TagCuration.objects.filter(tag__name="噴砂").exists()


def test_refreshing_keeps_decisions_and_updates_open_proposals(programme_admin, members):
    refresh_proposals()
    sand = proposal("噴砂", "sand boil")
    SynonymProposal.objects.filter(pk=sand.pk).update(support=99)
    rejected = proposal("除雪", "歩道除雪")
    rejected.status = Status.REJECTED
    rejected.save()

    result = refresh_proposals()

    assert result.new == 0 and result.kept == 1
    sand.refresh_from_db()
    assert sand.support == 3  # fresh numbers
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED


def test_a_compound_is_accepted_as_a_kind_of_its_head_or_as_a_synonym(
    client, programme_admin, members
):
    refresh_proposals()
    snow = proposal("除雪", "歩道除雪")
    insar = proposal("InSAR", "ps-insar")
    client.force_login(programme_admin)

    client.post(f"{PROPOSALS_URL}{snow.pk}/", {"action": "accept"})
    client.post(f"{PROPOSALS_URL}{insar.pk}/", {"action": "accept_alias"})

    snow.refresh_from_db()
    insar.refresh_from_db()
    assert snow.status == insar.status == Status.ACCEPTED
    assert not TagCuration.objects.filter(tag__name="除雪").exists()
    assert TagCuration.objects.get(tag__name="InSAR").alias_list == ["ps-insar"]


def test_proposals_are_filtered_by_kind_and_status(client, programme_admin, members):
    refresh_proposals()
    proposal("InSAR", "ps-insar").delete()
    client.force_login(programme_admin)

    compounds = client.get(PROPOSALS_URL, {"kind": "compound"}).context["proposals"]
    rejected = client.get(PROPOSALS_URL, {"status": "rejected"}).context["proposals"]

    assert [(p.tag.name, p.form) for p in compounds] == [("除雪", "歩道除雪")]
    assert list(rejected) == []


def test_the_refresh_button_mines_again(client, programme_admin, members):
    client.force_login(programme_admin)

    response = client.post(f"{PROPOSALS_URL}refresh/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302
    assert SynonymProposal.objects.filter(tag__name="噴砂", form="sand boil").exists()
    [message] = shown_messages(client)
    assert message.startswith("Synonym proposals refreshed:")


def test_only_programme_admins_curate_proposals(client, members):
    refresh_proposals()
    sand = proposal("噴砂", "sand boil")
    editor = UserFactory()  # may use the Wagtail admin, is no programme admin
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    requests = [
        ("get", PROPOSALS_URL, {}),
        ("post", f"{PROPOSALS_URL}{sand.pk}/", {"action": "accept"}),
        ("post", f"{PROPOSALS_URL}{sand.pk}/", {"action": "reject"}),
        ("post", f"{PROPOSALS_URL}refresh/", {}),
    ]
    SynonymProposal.objects.exclude(pk=sand.pk).delete()

    client.force_login(UserFactory())  # a member: no admin at all
    members_see = [getattr(client, verb)(url, data) for verb, url, data in requests]
    client.force_login(editor)
    # Wagtail answers a refusal with 403 to scripts and a redirect home to browsers.
    scripts_see = [
        getattr(client, verb)(url, data, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        for verb, url, data in requests
    ]
    browsers_see = [getattr(client, verb)(url, data) for verb, url, data in requests]

    assert all(r.url.startswith("/accounts/login/") for r in members_see)
    assert [r.status_code for r in scripts_see] == [403] * 4
    assert {(r.status_code, r.url) for r in browsers_see} == {(302, "/admin/")}
    sand.refresh_from_db()
    assert sand.status == Status.PROPOSED
    assert SynonymProposal.objects.count() == 1  # nor refreshed
    assert not TagCuration.objects.exists()


def test_the_command_reports_what_it_found(members, capsys):
    call_command("propose_synonyms")
    first = capsys.readouterr().out
    call_command("propose_synonyms")
    second = capsys.readouterr().out

    total = SynonymProposal.objects.count()
    assert f"found: {total}; new: {total};" in first
    assert f"found: {total}; new: 0; updated: {total};" in second


def test_jmdict_proposes_spellings_and_glosses_the_members_use(directory):
    """JMdict (the real dictionary, through jamdict) gives 除草 the gloss "weeding" and 溶接
    its other spellings; an English gloss nobody writes in a biography is left out."""
    for number in range(3):
        profile(
            directory,
            f"J0000{number}",
            ["除草", "溶接"],
            "河川敷の除草を担当。",
            "Responsible for weeding along the river banks and welding of handrails.",
        )
    profile(directory, "J00010", ["道路"], bio_en="Road maintenance.")

    refresh_proposals()

    dictionary = {
        (p.tag.name, p.form)
        for p in SynonymProposal.objects.filter(kind=Kind.DICTIONARY).select_related("tag")
    }
    assert ("除草", "weeding") in dictionary
    assert {("溶接", "熔接"), ("溶接", "鎔接")} <= dictionary
    assert ("溶接", "weld") not in dictionary  # no biography says "weld"
    assert not {form for tag, form in dictionary if tag == "道路"}  # on too few profiles
