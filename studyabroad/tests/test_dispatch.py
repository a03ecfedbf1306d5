"""The dispatch programme: the application window, eligibility, both recommendation
directions with their gaps, the shortlist and its CSV export."""

import csv
import datetime
import io
from decimal import Decimal

from django.utils import timezone, translation

import pytest

from profiles.models import ProfileLanguage, ProfilePage
from profiles.tests.factories import ProfilePageFactory, UserFactory
from profiles.tests.privacy_fixtures import publish_with_evidence
from studyabroad.demo import ensure_dispatch_programme
from studyabroad.models import DispatchApplication, DispatchProgrammePage
from studyabroad.recommendations import candidates_for_destination, destinations_for_member
from studyabroad.tests.factories import StudyDestinationPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def programme(directory):
    return ensure_dispatch_programme(directory.get_parent().specific)


@pytest.fixture
def delft(catalogue):
    return StudyDestinationPageFactory(
        parent=catalogue,
        destination_key="delft-water",
        programme_name="MSc Water Management",
        fields=["下水道", "water management"],
        ielts_min=Decimal("6.5"),
        toefl_min=90,
        deadline_in_days=40,
    )


@pytest.fixture
def imperial(catalogue):
    return StudyDestinationPageFactory(
        parent=catalogue,
        destination_key="imperial-transport",
        university_en="Imperial College London",
        programme_name="MSc Transport",
        country="GB",
        fields=["交通計画", "transport planning"],
        ielts_min=Decimal("7.0"),
        deadline_in_days=20,
    )


def member_with(directory, external_id, *, years=8, tags=(), ielts=None, interested=False):
    page = ProfilePageFactory(
        parent=directory,
        external_id=external_id,
        years_of_service=years,
        bio_ja="",
        bio_en="",
        interested_in_dispatch=interested,
    )
    page.tags.set(list(tags))
    if ielts is not None:
        page.languages = [
            ProfileLanguage(language="en", level="B2", test_name="IELTS", score=Decimal(ielts))
        ]
    publish_with_evidence(page)
    return page


def apply(client, programme, profile, **data):
    client.force_login(profile.user)
    body = {"statement": "下水道分野の知見を深めたい。", "ielts_score": "6.5", **data}
    return client.post(f"{programme.url}apply/", body, HTTP_ACCEPT_LANGUAGE="en")


def test_apply_change_and_withdraw_while_the_window_is_open(client, programme, directory, delft):
    member = member_with(directory, "D10001", tags=["下水道"], ielts="6.5")

    created = apply(client, programme, member, preferred_destinations=[delft.pk])
    changed = apply(client, programme, member, statement="変更しました。", ielts_score="7.0")
    application = DispatchApplication.objects.get(profile=member)
    assert created.status_code == changed.status_code == 302
    assert application.statement == "変更しました。" and application.ielts_score == Decimal("7.0")

    client.post(f"{programme.url}withdraw/")
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_after_the_window_closes_changes_are_refused(client, programme, directory):
    member = member_with(directory, "D10002", ielts="6.5")
    apply(client, programme, member)
    DispatchProgrammePage.objects.filter(pk=programme.pk).update(
        application_closes=timezone.now() - datetime.timedelta(minutes=1)
    )
    programme.refresh_from_db()

    edit = apply(client, programme, member, statement="遅れた変更")
    withdrawal = client.post(f"{programme.url}withdraw/", HTTP_ACCEPT_LANGUAGE="en")

    assert edit.status_code == withdrawal.status_code == 403
    assert "applications can no longer be changed" in edit.content.decode()
    application = DispatchApplication.objects.get(profile=member)
    assert application.statement == "下水道分野の知見を深めたい。"
    assert application.status == "submitted"


@pytest.mark.parametrize(
    ("years", "scores", "gap"),
    [
        (2, {"ielts_score": "7.0"}, "2 years of service &lt; 3 required"),
        (8, {"ielts_score": "5.5"}, "IELTS 5.5 &lt; 6 required"),
        (8, {"ielts_score": ""}, "no IELTS score (6 required)"),
    ],
)
def test_ineligible_applications_are_refused_with_the_gap(
    client, programme, directory, years, scores, gap
):
    member = member_with(directory, f"D2{years:04d}", years=years)

    response = apply(client, programme, member, **scores)

    assert response.status_code == 400
    assert gap in response.content.decode()
    assert not DispatchApplication.objects.exists()


def test_any_one_language_score_is_enough(client, programme, directory):
    member = member_with(directory, "D10003")

    response = apply(client, programme, member, ielts_score="5.5", toefl_score="85")

    assert response.status_code == 302  # TOEFL iBT 85 ≥ 80, though IELTS 5.5 < 6.0


def test_candidates_for_a_destination_rank_with_what_they_meet_and_lack(
    client, programme, directory, delft, imperial
):
    sewer = member_with(directory, "D10010", tags=["下水道管きょ更生"], ielts="6.0")
    transport = member_with(directory, "D10011", tags=["交通計画"], ielts="7.5")
    interested = member_with(directory, "D10012", tags=["下水道"], interested=True, ielts="7.0")
    apply(client, programme, sewer, ielts_score="6.0", toefl_score="95",
          preferred_destinations=[delft.pk])  # fmt: skip
    apply(client, programme, transport, ielts_score="7.5", preferred_destinations=[imperial.pk])

    candidates = candidates_for_destination(programme, delft)

    order = [c.profile.external_id for c in candidates]
    assert order[0] == "D10010" and set(order) == {"D10010", "D10011", "D10012"}
    first = candidates[0]
    assert "applied with this destination as a preference" in first.reasons
    assert "TOEFL iBT 95 ≥ 90" in first.requirements.meets  # met by TOEFL…
    assert first.requirements.gaps == []  # …so IELTS 6.0 < 6.5 is not a gap
    by_id = {c.profile.external_id: c for c in candidates}
    assert "interested in the programme (profile)" in by_id["D10012"].reasons
    assert interested.pk == by_id["D10012"].profile.pk
    lacking = candidates_for_destination(programme, imperial)
    sewer_at_imperial = next(c for c in lacking if c.profile.external_id == "D10010")
    assert "IELTS 6 < 7 required" in sewer_at_imperial.requirements.gaps


def test_destinations_for_a_member_with_gaps_before_the_deadline(
    client, programme, directory, delft, imperial
):
    member = member_with(directory, "D10020", tags=["下水道"], ielts="6.0")

    recommended = destinations_for_member(programme, member)

    assert next(r.destination.pk for r in recommended) == delft.pk
    top = recommended[0]
    assert any("下水道" in reason for reason in top.reasons)
    assert "IELTS 6 < 6.5 required" in top.gaps
    assert top.next_deadline == timezone.localdate() + datetime.timedelta(days=40)


def test_a_member_is_advised_with_scores_they_keep_private(programme, directory, delft):
    member = member_with(directory, "D10021", tags=["下水道"], ielts="7.0")
    ProfilePage.objects.filter(pk=member.pk).update(visibility_languages="private")
    member.refresh_from_db()

    top = destinations_for_member(programme, member)[0]

    assert top.destination.pk == delft.pk
    assert "IELTS 7 ≥ 6.5" in top.requirements.meets and top.gaps == []


def test_programme_admins_shortlist_and_export_csv_with_bom(client, programme, directory, delft):
    sewer = member_with(directory, "D10030", tags=["下水道"], ielts="7.0")
    other = member_with(directory, "D10031", tags=["下水道"], ielts="7.0")
    for member in (sewer, other):
        apply(client, programme, member, ielts_score="7.0", preferred_destinations=[delft.pk])
    candidates_url = f"{programme.url}destinations/{delft.pk}/candidates/"
    application = DispatchApplication.objects.get(profile=sewer)

    client.force_login(UserFactory(groups=["Managers"]))
    assert client.get(candidates_url).status_code == 200
    assert (
        client.post(candidates_url, {"application": application.pk, "shortlist": "1"}).status_code
        == 403
    )
    client.force_login(UserFactory())
    assert client.get(candidates_url).status_code == 403

    client.force_login(UserFactory(groups=["Programme admins"]))
    client.post(candidates_url, {"application": application.pk, "shortlist": "1"})
    response = client.get(
        f"{programme.url}destinations/{delft.pk}/shortlist/", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["Staff number"] for row in rows] == ["D10030"]
    assert rows[0]["IELTS"] == "7.0" and rows[0]["Statement"] == "下水道分野の知見を深めたい。"
