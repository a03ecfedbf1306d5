"""Fresher evidence ranks higher: the same expertise confirmed recently beats evidence nobody
has confirmed for years — on the database matcher and on the real OpenSearch node."""

import datetime

from django.core.management import call_command
from django.utils import timezone

import pytest

from profiles.models import ProfilePage
from profiles.tests.factories import ProfilePageFactory, UserFactory
from search.matching import freshness_factor
from search.sync import sync_profiles

pytestmark = pytest.mark.django_db


def test_freshness_steps():
    today = datetime.date(2026, 11, 25)

    assert freshness_factor(None, today) == 1.0
    assert freshness_factor({"kind": "confirmed", "month": "2024-11"}, today) == 1.0  # 24 months
    assert freshness_factor({"kind": "confirmed", "month": "2024-10"}, today) == 0.9
    assert freshness_factor({"kind": "updated", "month": "2022-10"}, today) == 0.8


def member(directory, external_id: str, confirmed: datetime.date) -> ProfilePage:
    page = ProfilePageFactory(parent=directory, external_id=external_id, bio_ja="", bio_en="")
    page.tags.set(["下水道管きょ更生"])
    page.save_revision().publish()
    ProfilePage.objects.filter(pk=page.pk).update(confirmed_at=confirmed)
    sync_profiles([page.pk])
    return page


@pytest.mark.parametrize(
    "backend", ["database", pytest.param("opensearch", marks=pytest.mark.engine)]
)
def test_recently_confirmed_evidence_ranks_first(request, client, directory, backend):
    today = timezone.localdate()
    member(directory, "F10001", today - datetime.timedelta(days=365 * 3))  # created first
    member(directory, "F10002", today - datetime.timedelta(days=30))
    if backend == "opensearch":
        request.getfixturevalue("engine")
        call_command("rebuild_match_index")
    client.force_login(UserFactory())

    response = client.post(
        "/api/v1/match/",
        {"text": "sewer rehabilitation"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()

    assert response["backend"] == backend
    ranked = [r["external_id"] for r in response["results"]]
    assert ranked == ["F10002", "F10001"]
    scores = [r["score"] for r in response["results"]]
    assert scores[1] == pytest.approx(scores[0] * 0.9, rel=0.01)
