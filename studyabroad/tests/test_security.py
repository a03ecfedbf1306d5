"""What the study abroad app promises about trust (issue #12), one test per promise:

- destination changes reach the site only through the "Destination review" workflow;
- an exchange report names a participant only to viewers who may see that member's overseas
  experience (profiles.privacy);
- numbers out of range in filters and URLs are ignored or "not found", never a server error.
"""

import datetime
import importlib

from django.apps import apps
from django.contrib.auth.models import Group, Permission

from wagtail.models import GroupPagePermission, WorkflowState

import pytest

from profiles.models import User
from profiles.privacy import Visibility
from profiles.signal_handlers import PROGRAMME_ADMINS_GROUP
from profiles.tests.factories import ProfilePageFactory, UserFactory
from studyabroad.demo import ensure_dispatch_programme, ensure_report_index
from studyabroad.models import (
    DispatchApplication,
    ExchangeReportPage,
    ReportParticipant,
    StudyDestinationPage,
    TechnicalClassification,
)
from studyabroad.tests.admin_forms import edit_url, post_editor
from studyabroad.tests.factories import StudyDestinationPageFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999"  # beyond a 64-bit integer


# --- Destination review -------------------------------------------------------------------


@pytest.fixture
def destination(catalogue):
    """A published destination with a live revision ("Civil Engineering")."""
    page = StudyDestinationPageFactory(parent=catalogue, deadline_in_days=20)
    page.save_revision().publish()
    return StudyDestinationPage.objects.get(pk=page.pk)


@pytest.fixture
def programme_admin(db):
    return UserFactory(groups=[PROGRAMME_ADMINS_GROUP])


def live_version(page) -> tuple[int, str]:
    """The live revision and the programme name the site shows."""
    live = StudyDestinationPage.objects.get(pk=page.pk)
    return live.live_revision_id, live.programme_name


def test_programme_admin_cannot_publish_a_destination_directly(
    client, destination, programme_admin
):
    """A programme admin's "publish" request is refused: the edit is kept as a draft only."""
    # Given a programme admin in the editor of a published destination
    client.force_login(programme_admin)
    before = live_version(destination)

    # When they post the editor's form with "Publish", the button hidden from them
    response = post_editor(
        client, destination, "action-publish", programme_name="Hydraulic Engineering"
    )

    # Then Wagtail saves a draft instead: the site still shows the previous revision
    assert response.status_code == 302 and response["Location"] == edit_url(destination)
    assert live_version(destination) == before
    draft = StudyDestinationPage.objects.get(pk=destination.pk).get_latest_revision_as_object()
    assert draft.programme_name == "Hydraulic Engineering"
    assert not destination.permissions_for_user(programme_admin).can_publish()


def test_programme_admin_submits_a_destination_edit_for_review(
    client, destination, programme_admin
):
    """Submitting to the review workflow still works, and publishes nothing yet."""
    client.force_login(programme_admin)
    before = live_version(destination)

    response = post_editor(
        client, destination, "action-submit", programme_name="Hydraulic Engineering"
    )

    assert response.status_code == 302
    state = WorkflowState.objects.get(object_id=destination.pk)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert live_version(destination) == before


def test_reviewer_approves_and_thereby_publishes_a_submitted_edit(
    client, destination, programme_admin
):
    """The workflow's reviewers (programme admins) publish by approving, without the right to
    publish directly."""
    # Given an edit submitted for review by one programme admin
    author, reviewer = programme_admin, UserFactory(groups=[PROGRAMME_ADMINS_GROUP])
    client.force_login(author)
    post_editor(client, destination, "action-submit", programme_name="Hydraulic Engineering")
    task_state = WorkflowState.objects.get(object_id=destination.pk).current_task_state

    # When another approves it in the admin
    client.force_login(reviewer)
    response = client.post(
        f"/admin/pages/workflow/action/{destination.pk}/approve/{task_state.pk}/", {"comment": ""}
    )

    # Then the edit is live
    assert response.status_code == 302
    live = StudyDestinationPage.objects.get(pk=destination.pk)
    assert live.programme_name == "Hydraulic Engineering"
    assert live.live_revision.user == author


def test_an_approval_does_not_let_the_reviewer_publish_later_edits(
    client, destination, programme_admin
):
    """Approving one review publishes that revision only; the reviewer's next edit is a draft."""
    # Given a review the reviewer approved
    reviewer = UserFactory(groups=[PROGRAMME_ADMINS_GROUP])
    client.force_login(programme_admin)
    post_editor(client, destination, "action-submit", programme_name="Hydraulic Engineering")
    WorkflowState.objects.get(object_id=destination.pk).current_task_state.approve(user=reviewer)
    approved = live_version(destination)

    # When the reviewer then posts "Publish" with a change of their own
    client.force_login(reviewer)
    post_editor(client, destination, "action-publish", programme_name="Unreviewed Engineering")

    # Then the approved revision stays live
    assert approved[1] == "Hydraulic Engineering"
    assert live_version(destination) == approved


def test_superuser_may_publish_a_destination_directly(client, destination):
    """Site administrators keep the direct "Publish" (the same request as the refused one)."""
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = post_editor(
        client, destination, "action-publish", programme_name="Hydraulic Engineering"
    )

    assert response.status_code == 302
    assert live_version(destination)[1] == "Hydraulic Engineering"


def test_an_earlier_installation_loses_direct_publishing_on_migrating(catalogue, programme_admin):
    """Installations set up before the fix had granted "publish_page"; the migration revokes it
    and keeps the rights to add and edit."""
    # Given the grant the catalogue set-up used to make
    GroupPagePermission.objects.create(
        group=Group.objects.get(name=PROGRAMME_ADMINS_GROUP),
        page=catalogue,
        permission=Permission.objects.get(
            content_type__app_label="wagtailcore", codename="publish_page"
        ),
    )
    assert catalogue.permissions_for_user(programme_admin).can_publish_subpage()
    migration = importlib.import_module(
        "studyabroad.migrations.0005_destinations_publish_only_through_review"
    )

    # When the data migration runs
    migration.revoke_direct_publishing(apps, schema_editor=None)

    # Then programme admins add and edit destinations but cannot publish them
    permissions = catalogue.permissions_for_user(User.objects.get(pk=programme_admin.pk))
    assert permissions.can_add_subpage() and permissions.can_edit()
    assert not permissions.can_publish_subpage()


# --- Privacy of exchange report participants ----------------------------------------------


@pytest.fixture
def private_participant(directory):
    """A member who keeps their overseas experience to themself."""
    page = ProfilePageFactory(
        parent=directory,
        external_id="P00003",
        name_ja="内緒 三郎",
        name_en="Saburo Naisho",
        visibility_experience=Visibility.PRIVATE,
    )
    page.save_revision().publish()
    return page


@pytest.fixture
def report(directory, secretive, open_member, private_participant):
    """A report with members sharing their experience with members, staff, nobody, and a
    participant without a profile."""
    report = ExchangeReportPage(
        title="高潮防潮堤の視察",
        slug="storm-surge-barriers",
        report_key="EX-9001",
        country="NL",
        start_date=datetime.date(2024, 5, 13),
    )
    report.participants = [
        ReportParticipant(profile=open_member),
        ReportParticipant(profile=secretive),
        ReportParticipant(profile=private_participant),
        ReportParticipant(name="外部 参加者"),
    ]
    ensure_report_index(directory.get_parent().specific).add_child(instance=report)
    report.save_revision().publish()
    return report


def page_html(client, page) -> str:
    response = client.get(page.url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def names_shown(html: str, *profiles) -> dict[str, bool]:
    """Which of these members' names (Japanese or English) the page shows."""
    return {p.name_en: p.name_ja in html or p.name_en in html for p in profiles}


def test_members_see_only_participants_who_share_experience_with_all_members(
    client, report, plain_member, open_member, secretive, private_participant
):
    """A member sees the participants who share with all members, and a count of the others."""
    client.force_login(plain_member)

    html = page_html(client, report)

    assert names_shown(html, open_member, secretive, private_participant) == {
        "Hanako Kokai": True,
        "Mamoru Hida": False,
        "Saburo Naisho": False,
    }
    assert "外部 参加者" in html and "2 participants not named" in html


def test_staff_see_participants_who_share_experience_with_staff(
    client, report, manager, open_member, secretive, private_participant
):
    """Managers and programme admins also see those sharing with staff, not the private ones."""
    client.force_login(manager)

    html = page_html(client, report)

    assert names_shown(html, open_member, secretive, private_participant) == {
        "Hanako Kokai": True,
        "Mamoru Hida": True,
        "Saburo Naisho": False,
    }
    assert "1 participant not named" in html


def test_a_participant_sees_themself_on_the_report(client, report, private_participant):
    """Whatever their choice, members see their own name on reports they took part in."""
    client.force_login(private_participant.user)

    html = page_html(client, report)

    assert names_shown(html, private_participant) == {"Saburo Naisho": True}
    assert "1 participant not named" in html  # the one sharing with staff only


def test_report_listing_names_no_hidden_participant(client, report, plain_member, secretive):
    """The report index, filtered or not, does not name participants hidden from the viewer."""
    client.force_login(plain_member)
    index = report.get_parent()

    listing = page_html(client, index)
    filtered = client.get(index.url, {"country": "NL"}).content.decode()

    assert report.title in listing and report.title in filtered
    assert (
        names_shown(listing, secretive)
        == names_shown(filtered, secretive)
        == {"Mamoru Hida": False}
    )


# --- Out-of-range numbers -----------------------------------------------------------------


@pytest.fixture
def report_index(directory):
    index = ensure_report_index(directory.get_parent().specific)
    report = ExchangeReportPage(
        title="下水道管きょ更生",
        slug="sewer-rehabilitation",
        report_key="EX-9002",
        country="NL",
        start_date=datetime.date(2024, 5, 13),
        classification=TechnicalClassification.objects.get(name_ja="上下水道"),
    )
    index.add_child(instance=report)
    report.save_revision().publish()
    return index


@pytest.mark.parametrize(
    "query",
    [
        {"classification": HUGE},
        {"year": HUGE},
        {"year": "10000"},  # past the last year a date can hold
        {"year": "²"},  # a digit to str.isdigit, not to int()
        {"country": HUGE},
        {"page": HUGE},
    ],
)
def test_report_filters_ignore_numbers_out_of_range(client, report_index, plain_member, query):
    """A report filter value out of range is ignored: the listing opens, unfiltered by it."""
    client.force_login(plain_member)

    response = client.get(report_index.url, query)

    assert response.status_code == 200
    assert response.context["filters"].get("classification") is None
    assert response.context["filters"].get("year") is None


@pytest.mark.parametrize("value", [HUGE, "²", "-3"])
def test_catalogue_ignores_a_duration_limit_out_of_range(client, catalogue, plain_member, value):
    """The catalogue's "maximum duration" filter ignores values that are not a usable number."""
    StudyDestinationPageFactory(parent=catalogue)
    client.force_login(plain_member)

    response = client.get(catalogue.url, {"max_duration": value})

    assert response.status_code == 200
    assert response.context["filters"]["max_duration"] is None
    assert response.context["destinations"].paginator.count == 1


@pytest.fixture
def dispatch_programme(directory):
    return ensure_dispatch_programme(directory.get_parent().specific)


@pytest.mark.parametrize("route", ["candidates", "shortlist"])
def test_dispatch_routes_with_a_huge_destination_id_are_not_found(
    client, dispatch_programme, programme_admin, route
):
    """/dispatch/destinations/<huge id>/… is "not found", like any unknown destination."""
    client.force_login(programme_admin)

    response = client.get(f"{dispatch_programme.url}destinations/{HUGE}/{route}/")

    assert response.status_code == 404


@pytest.mark.parametrize("application_id", [HUGE, "abc", ""])
def test_shortlisting_an_unknown_application_is_not_found(
    client, dispatch_programme, catalogue, programme_admin, application_id
):
    """Shortlisting with an application id that is no row id is "not found"."""
    destination = StudyDestinationPageFactory(parent=catalogue)
    client.force_login(programme_admin)

    response = client.post(
        f"{dispatch_programme.url}destinations/{destination.pk}/candidates/",
        {"application": application_id, "shortlist": "1"},
    )

    assert response.status_code == 404
    assert not DispatchApplication.objects.filter(shortlisted_for=destination).exists()


def test_applying_with_a_huge_destination_id_is_a_form_error(client, dispatch_programme, member):
    """An application naming a destination id out of range is refused as an invalid choice."""
    client.force_login(member)

    response = client.post(
        f"{dispatch_programme.url}apply/",
        {"preferred_destinations": [HUGE], "statement": "下水道分野の知見を深めたい。"},
    )

    assert response.status_code == 400
    assert "preferred_destinations" in response.context["form"].errors
    assert not DispatchApplication.objects.exists()
