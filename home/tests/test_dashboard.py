"""The admin dashboard's figures against known data, and the charts that show them."""

import datetime

import pytest

from home import dashboard
from home.charts import bar_chart
from profiles.models import Bureau, ProfilePage
from profiles.tests.factories import ProfilePageFactory, UserFactory
from profiles.tests.privacy_fixtures import publish_with_evidence
from studyabroad.models import DispatchApplication
from studyabroad.tests.factories import StudyDestinationPageFactory
from talenthub import clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_data(directory, catalogue):
    water = Bureau.objects.get(name_ja="水道局")
    specs = [
        # (staff number, bureau, confirmed days ago, tags)
        ("K00001", None, 10, ["下水道", "橋梁"]),
        ("K00002", None, 100, ["下水道"]),
        ("K00003", water, 200, ["下水道", "浄水処理"]),
        ("K00004", water, 400, []),
    ]
    pages = {}
    for external_id, bureau, days, tags in specs:
        extra = {"bureau": bureau} if bureau else {}
        page = ProfilePageFactory(
            parent=directory, external_id=external_id, bio_ja="", bio_en="", **extra
        )
        page.tags.set(tags)
        publish_with_evidence(page)
        ProfilePage.objects.filter(pk=page.pk).update(
            confirmed_at=clock.today() - datetime.timedelta(days=days)
        )
        pages[external_id] = page
    from studyabroad.demo import ensure_dispatch_programme

    programme = ensure_dispatch_programme(directory.get_parent().specific)
    delft = StudyDestinationPageFactory(parent=catalogue, programme_name="MSc Water")
    for external_id, fields, status in [
        ("K00001", ["下水道"], "submitted"),
        ("K00002", ["下水道", "水資源"], "submitted"),
        ("K00003", ["水資源"], "withdrawn"),
    ]:
        application = DispatchApplication.objects.create(
            programme=programme, profile=pages[external_id], statement="…", status=status
        )
        application.preferred_fields.set(fields)
        application.preferred_destinations.add(delft)
    return pages


def test_figures_from_known_data(known_data):
    assert dashboard.profiles_by("bureau") == [("建設局", 2), ("水道局", 2)]
    assert dashboard.profiles_by("job_category") == [("土木", 4)]
    assert dashboard.freshness() == [("within6", 2), ("6to12", 1), ("over12", 1)]
    assert dashboard.top_tags(2) == [("下水道", 3), ("橋梁", 1)]
    assert dashboard.dispatch_interest_by_field() == [("下水道", 2), ("水資源", 1)]
    assert dashboard.dispatch_interest_by_destination() == [
        ("Delft University of Technology — MSc Water", 2)
    ]


def test_thin_coverage_lists_areas_few_members_practised(known_data):
    from search.glossary import get_glossary

    glossary = get_glossary()
    bridge = {glossary.concepts[c].label for c in glossary.concept_counts("橋梁")}
    sewerage = {glossary.concepts[c].label for c in glossary.concept_counts("下水道")}

    thin = dict(dashboard.thin_coverage(limit=1000))

    assert bridge and all(thin[label] == 1 for label in bridge)  # one member
    assert sewerage and not sewerage & set(thin)  # three members: not thin
    assert all(count <= 2 for count in thin.values())
    assert min(thin.values()) == 0  # some glossary areas have no one at all


def test_charts_escape_labels():
    svg = str(bar_chart([("<script>alert(1)</script>", 3), ("橋梁", 1)], "Tags & more"))

    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'aria-label="Tags &amp; more"' in svg
    assert svg.count("<rect") == 2


def test_programme_admins_see_the_figures_on_the_admin_home(client, known_data):
    admin = UserFactory(groups=["Programme admins"])
    client.force_login(admin)

    body = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Talent Hub in figures" in body
    assert body.count('<svg class="chart"') == 7
    assert "Profiles by bureau" in body and "水道局" in body
