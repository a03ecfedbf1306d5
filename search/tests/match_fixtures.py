"""The three members the matching tests rank (used by the search and browser tests)."""

import pytest

from profiles.tests.test_import_members import member_row, write_jsonl


@pytest.fixture
def members(directory, tmp_path):
    """Three members: an English-writing bridge expert, a Japanese sewer expert, a planner."""
    from profiles.importing import import_members

    rows = [
        member_row(
            "A00001",
            "bridge.expert@example.jp",
            name_ja="橋本 一郎",
            name_en="Ichiro Hashimoto",
            bureau="建設局",
            expertise=["bridge seismic retrofit"],
            exchange_records=[],
            bio_ja="",
            bio_en="Designed seismic retrofits of steel bridges for ten years.",
            languages=[{"language": "en", "level": "C1"}],
            overseas_experience=[],
        ),
        member_row(
            "A00002",
            "sewer.expert@example.jp",
            name_ja="下田 二郎",
            name_en="Jiro Shimoda",
            bureau="下水道局",
            expertise=["管きょ更生"],
            exchange_records=[],
            bio_ja="下水道管きょの更生工事を長年担当。",
            bio_en="",
            languages=[{"language": "en", "level": "A2"}],
            overseas_experience=[],
        ),
        member_row(
            "A00003",
            "bridge.junior@example.jp",
            name_ja="橋田 三郎",
            name_en="Saburo Hashida",
            bureau="建設局",
            expertise=["橋梁の耐震化"],
            exchange_records=[],
            bio_en="",
            bio_ja="橋梁の耐震補強を担当。",
            languages=[{"language": "en", "level": "B1"}],
            overseas_experience=[],
        ),
    ]
    import_members(write_jsonl(tmp_path / "m.jsonl", rows), directory)
