"""The scoring core (search.ranking) through the database back end, and the analysis it ranks
with: longest matches, broader and narrower concepts, exclusions, plain words, typed evidence."""

from django.utils import translation

import pytest

from profiles.tests.test_import_members import member_row, write_jsonl
from search.database_matching import DatabaseMatcher, reset_index
from search.evidence import Evidence, sentence_role
from search.glossary import Glossary
from search.matching import (
    BROADER_SHARE,
    NARROWER_SHARE,
    LanguageRequirement,
    MatchQuery,
    analyse_query,
)
from search.models import MemberEvidence

TOY_GLOSSARY = Glossary.parse(
    """
rail: 鉄道 | railway
control: 制御システム | control system
train_control < rail, control: 列車制御システム | train control system
sewer: 下水道 | sewerage
sewer_pipe < sewer: 下水道管 | sewer pipe
building: 建築技術 | building technology
green_building: 省エネ建築 | green building
"""
)


def test_a_match_inside_a_longer_match_of_another_concept_does_not_count():
    assert set(TOY_GLOSSARY.concept_counts("Upgrading train control systems")) == {"train_control"}
    assert set(TOY_GLOSSARY.concept_counts("列車制御システムの更新")) == {"train_control"}
    assert set(TOY_GLOSSARY.concept_counts("SCADA control systems")) == {"control"}
    # Overlapping without either containing the other: the longer match wins.
    assert set(TOY_GLOSSARY.concept_counts("省エネ建築技術")) == {"green_building"}
    assert set(TOY_GLOSSARY.concept_counts("下水道管制御システム")) == {"sewer_pipe", "control"}


def test_broader_links_give_every_concept_its_narrower_ones():
    assert TOY_GLOSSARY.narrower == {
        "rail": ("train_control",),
        "control": ("train_control",),
        "sewer": ("sewer_pipe",),
    }
    with pytest.raises(ValueError, match="not in the glossary"):
        Glossary.parse("a < missing: あ | a")


def test_a_broad_query_reaches_narrower_evidence_and_a_narrow_one_broader_evidence():
    broad = analyse_query(MatchQuery(text="railway"), TOY_GLOSSARY)
    narrow = analyse_query(MatchQuery(text="train control system"), TOY_GLOSSARY)

    assert broad.expansions["rail"] == {"train_control": NARROWER_SHARE}
    assert broad.families["rail"] == ("rail", "train_control")
    assert narrow.expansions["train_control"] == {"rail": BROADER_SHARE, "control": BROADER_SHARE}


@pytest.mark.parametrize(
    "text",
    [
        "sewer pipe rehabilitation, not sewerage planning",
        "Sewer pipe work. Sewerage planning is out of scope.",
        "sewer pipe work excluding sewerage",
        "下水道管の更生。下水道計画ではなく現場の経験",
        "下水道管の更生（下水道の計画は除く）",
        "下水道管の更生、下水道以外",
        "下水道管の更生。下水道は対象外",
    ],
)
def test_exclusions_in_english_and_japanese_count_against_a_member(text):
    analysed = analyse_query(MatchQuery(text=text), TOY_GLOSSARY)

    assert analysed.concepts["sewer_pipe"] > 0
    assert analysed.negative == ["sewer"]


def test_plain_words_count_only_where_the_glossary_did_not_understand_the_project():
    analysed = analyse_query(MatchQuery(text="sewer pipe surveys with Kubernetes"), TOY_GLOSSARY)

    assert set(analysed.spellings.values()) == {"surveys", "Kubernetes"}
    japanese = analyse_query(MatchQuery(text="バンクーバーの下水道管"), TOY_GLOSSARY)
    # One Japanese word of five bigrams weighs as much as one English word.
    assert sum(japanese.terms.values()) == pytest.approx(1.0)
    assert set(japanese.spellings.values()) == {"バンクーバー"}


@pytest.fixture
def ranked_members(directory, tmp_path):
    from profiles.importing import import_members

    rows = [
        member_row(
            "R00001",
            "one.mention@example.jp",
            expertise=[],
            bio_ja="",
            bio_en="Worked on hydrogen energy projects. Ran a hydrogen station pilot.",
            languages=[{"language": "en", "level": "B1"}],
        ),
        member_row(
            "R00002",
            "many.words@example.jp",
            expertise=[],
            bio_ja="",
            bio_en="Visited Stockholm, Oslo and Helsinki delegations; Stockholm municipal office.",
            languages=[{"language": "en", "level": "C1"}],
        ),
        member_row(
            "R00003",
            "hydrogen.lead@example.jp",
            expertise=["hydrogen energy"],
            bio_ja="水素エネルギーの導入を主担当として推進した。",
            bio_en="",
            languages=[{"language": "en", "level": "A2"}],
        ),
    ]
    for row in rows:
        row.update(overseas_experience=[], exchange_records=[])
    import_members(write_jsonl(tmp_path / "r.jsonl", rows), directory)
    reset_index()
    return DatabaseMatcher()


@pytest.mark.django_db
def test_words_alone_never_outrank_a_mention_of_the_projects_concept(ranked_members):
    query = MatchQuery(text="Hydrogen energy delegation from Stockholm, Oslo and Helsinki")

    ranked = [r.external_id for r in ranked_members.match(query)]
    only_words = ranked_members.match(MatchQuery(text="Delegations from Oslo and Helsinki"))

    # R00002 shares many of the project's words but none of its concepts: words only add to
    # the score of members found by a concept. Without concepts, words find members.
    assert ranked == ["R00003", "R00001"]
    assert [r.external_id for r in only_words] == ["R00002"]
    assert "Oslo" in only_words[0].reasons[0]


@pytest.mark.django_db
def test_the_language_rule_orders_the_same_for_any_limit(ranked_members):
    def ranked(limit):
        query = MatchQuery(
            text="hydrogen energy", language=LanguageRequirement("en", "B1"), limit=limit
        )
        return [r.external_id for r in ranked_members.match(query)]

    # R00003 is the stronger expert but below B1: the member who meets it comes first.
    assert ranked(10) == ["R00001", "R00003"]
    assert ranked(1) == ranked(10)[:1]
    assert ranked(2) == ranked(10)[:2]


@pytest.mark.django_db
def test_evidence_is_typed_and_hides_what_members_may_not_see(ranked_members):
    row = MemberEvidence.objects.get(external_id="R00003")
    evidence = Evidence.from_dict({**row.data, "hidden_from_members": ["bio", "languages"]})

    members_view = evidence.for_audience("members")

    assert evidence.concept_strength["hydrogen"] > members_view.concept_strength["hydrogen"]
    assert members_view.texts["bio"] == [] and members_view.languages == {}
    assert evidence.for_audience("staff") is evidence
    assert evidence.terms["bio"]  # plain words are stored with the evidence


@pytest.mark.parametrize(
    ("sentence", "role"),
    [
        ("Led the hydrogen station programme from planning to completion.", "lead"),
        ("水素ステーション整備の主担当として計画を取りまとめた。", "lead"),
        ("Attended a two-day training course on hydrogen energy.", "brief"),
        ("水素エネルギーの研修を受講した。", "brief"),
        ("Designed hydrogen refuelling stations.", ""),
    ],
)
def test_a_sentence_says_how_strongly_it_claims_its_areas(sentence, role):
    assert sentence_role(sentence) == role


@pytest.mark.django_db
def test_leading_evidence_ranks_first_and_reasons_say_how_strong_it_is(directory, tmp_path):
    from profiles.importing import import_members

    rows = [
        member_row("S00001", "brief@example.jp", bio_en="Attended a course on hydrogen energy."),
        member_row("S00002", "lead@example.jp", bio_en="Led the hydrogen energy programme."),
        member_row("S00003", "plain@example.jp", bio_en="Worked on hydrogen energy."),
    ]
    for row in rows:
        row.update(expertise=[], bio_ja="", overseas_experience=[], exchange_records=[])
    import_members(write_jsonl(tmp_path / "s.jsonl", rows), directory)
    reset_index()

    with translation.override("en"):
        results = DatabaseMatcher().match(MatchQuery(text="hydrogen energy"))
    with translation.override("ja"):
        japanese = DatabaseMatcher().match(MatchQuery(text="水素エネルギー"))

    assert [r.external_id for r in results] == ["S00002", "S00003", "S00001"]
    assert "中心的な役割" in japanese[0].reasons[0] and "研修・補助程度" in japanese[2].reasons[0]
    assert "leading role" in results[0].reasons[0]
    assert "role" not in results[1].reasons[0] and "exposure" not in results[1].reasons[0]
    assert "brief exposure only" in results[2].reasons[0]
