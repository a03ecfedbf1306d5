"""Evidence keeps interests apart from experience and ignores bureau names."""

import pytest

from profiles.models import OverseasExperience, ProfileExchangeRecord
from search.evidence import build_evidence, is_aspiration, without_organisations

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "sentence",
    [
        "今後は水素エネルギーの分野にも挑戦したい。",
        "Interested in GIS, although has not worked on it yet.",
        "I would like to learn about tunnelling.",
    ],
)
def test_statements_of_interest_are_aspirations(sentence):
    assert is_aspiration(sentence)


def test_experience_is_not_an_aspiration():
    assert not is_aspiration("橋梁の点検を10年担当している。")
    assert not is_aspiration("Led the design of the new pumping station.")


def test_bureau_names_are_removed():
    text = without_organisations(
        "水道局、下水道局を経て、現在は港湾局港湾経営部に所属。Bureau of Sewerage"
    )

    assert "下水道" not in text and "港湾" not in text and "Sewerage" not in text


def test_evidence_counts_concepts_by_field(member):
    profile = member.profile
    profile.tags.add("bridge inspection")
    profile.bio_ja = "下水道局に所属。橋梁の点検を担当。今後は水素エネルギーに挑戦したい。"
    profile.bio_en = ""
    profile.overseas_experiences = [
        OverseasExperience(country="NL", organisation="Waternet", summary="sewer rehabilitation")
    ]
    profile.exchange_records = [ProfileExchangeRecord(title="ITS study tour", year=2024)]
    profile.save()

    evidence = build_evidence(profile)

    assert "bridge_maintenance" in evidence["concepts"]["tags"]
    assert "bridge_maintenance" in evidence["concepts"]["bio"]
    assert "sewerage" not in evidence["concepts"]["bio"]  # only the bureau name said it
    assert "hydrogen" in evidence["concepts"]["aspirations"]
    assert "hydrogen" not in evidence["concepts"]["bio"]
    assert "sewer_rehab" in evidence["concepts"]["experience"]
    assert "its_traffic" in evidence["concepts"]["records"]
    assert evidence["overseas_countries"] == ["NL"]
