"""The glossary finds the same concept in Japanese and English, and nothing where it shouldn't."""

import pytest

from search import glossary as glossary_module
from search.glossary import Glossary, get_glossary

# get_glossary() adds the curated tag vocabulary from the database.
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "concept"),
    [
        ("下水道管きょ更生工事を担当", "sewer_rehab"),
        ("Has worked on sewer rehabilitation", "sewer_rehab"),
        ("橋梁の耐震補強", "bridge_seismic"),
        ("seismic retrofit of bridges", "bridge_seismic"),
        ("SCADAの更新", "scada"),
        ("監視制御システムの更新", "scada"),
        ("Intelligent Transport Systems", "its_traffic"),
        ("高度道路交通システム", "its_traffic"),
        ("water mains", "water_pipe"),
    ],
)
def test_concepts_are_found_in_either_language(text, concept):
    assert concept in get_glossary().concept_counts(text)


def test_water_supply_is_not_found_inside_sewerage():
    counts = get_glossary().concept_counts("下水道の計画を担当")

    assert "sewerage" in counts
    assert "water_supply" not in counts


def test_short_abbreviations_are_case_sensitive():
    counts = get_glossary().concept_counts("Its budget and it plan")

    assert "its_traffic" not in counts
    assert "ict" not in counts
    assert "its_traffic" in get_glossary().concept_counts("ITS deployment")


def test_one_mention_counts_once():
    # 下水道管 and 管きょ are both sewer pipe forms, overlapping: one mention.
    assert get_glossary().concept_counts("下水道管きょ") == {"sewer_pipe": 1}


def test_two_linked_concepts_that_overlap_both_count():
    # 管きょ更生 (sewer rehabilitation) is a kind of sewer pipe work (下水道管きょ).
    assert get_glossary().concept_counts("下水道管きょ更生") == {"sewer_pipe": 1, "sewer_rehab": 1}


def test_glossary_file_is_reread_when_it_changes(tmp_path, monkeypatch):
    path = tmp_path / "glossary.txt"
    path.write_text("bridge: 橋梁 | bridge\n", encoding="utf-8")
    monkeypatch.setattr(glossary_module, "GLOSSARY_FILE", path)
    glossary_module.forget_vocabulary()
    assert "kaizen" not in get_glossary().concepts

    path.write_text("bridge: 橋梁 | bridge\nkaizen: 改善 | kaizen\n", encoding="utf-8")
    import os

    os.utime(path, (1, 1))

    assert "kaizen" in get_glossary().concept_counts("カイゼン活動と改善")


def test_exclusions_and_weights_are_parsed():
    glossary = Glossary.parse("@weight 0.5\nwater: 水道 | water supply ! 下水道\n")

    concept = glossary.concepts["water"]
    assert concept.weight == 0.5
    assert concept.exclusions == ("下水道",)
    assert glossary.concept_counts("下水道と水道") == {"water": 1}


def test_english_forms_match_whole_words_and_every_form_starting_at_a_word():
    glossary = Glossary.parse(
        "pipe: 管 | pipe\npipeline: パイプライン | pipeline\nrenewal: 更新 | pipe renewal\n"
    )
    # "pipe" does not match inside "pipelines"; at "pipe renewal" both forms start.
    assert glossary.concept_counts("gas pipelines") == {"pipeline": 1}
    found = [(m.concept, m.surface, m.start) for m in glossary.matches("a pipe renewal plan")]
    assert ("renewal", "pipe renewal", 2) in found


def test_japanese_forms_match_at_every_position_of_the_text():
    glossary = Glossary.parse(
        "sewer: 下水道 | sewerage\nsewer_pipe < sewer: 下水道管 | sewer pipe\n"
    )

    matches = glossary.matches("本局の下水道管と、別の下水道")

    assert [(m.concept, m.surface, m.start) for m in matches] == [
        ("sewer_pipe", "下水道管", 3),
        ("sewer", "下水道", 11),
    ]
