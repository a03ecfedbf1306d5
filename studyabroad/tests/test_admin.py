"""The admin boundary: programme admins curate destinations through review, not profiles."""

from django.contrib.messages import get_messages
from django.test import Client

from wagtail.models import Workflow

import pytest

from profiles.tests.factories import UserFactory
from studyabroad.models import StudyDestinationPage
from studyabroad.tests.admin_forms import edit_url, post_editor
from studyabroad.tests.factories import StudyDestinationPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def destination(catalogue):
    return StudyDestinationPageFactory(parent=catalogue, deadline_in_days=20)


def test_programme_admin_may_edit_destinations_but_not_profiles(client, destination, member):
    admin = UserFactory(groups=["Programme admins"])
    client.force_login(admin)

    destination_edit = client.get(edit_url(destination))
    profile_edit = client.get(edit_url(member.profile))

    assert destination_edit.status_code == 200
    assert profile_edit.status_code == 302 and profile_edit["Location"] == "/admin/"
    assert destination.permissions_for_user(admin).can_edit()
    assert not member.profile.permissions_for_user(admin).can_edit()


def signed_in(user) -> Client:
    visitor = Client()
    visitor.force_login(user)
    return visitor


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.mark.parametrize("already_live", [True, False], ids=["live", "draft"])
def test_a_programme_admin_posting_publish_publishes_nothing(
    client, catalogue, member, already_live
):
    destination = StudyDestinationPageFactory(
        parent=catalogue, deadline_in_days=20, live=already_live
    )
    live_revision = destination.live_revision
    client.force_login(UserFactory(groups=["Programme admins"]))

    # "Publish" posted from the editor (Wagtail shows this user only "Submit for review")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    publish = post_editor(client, destination, "action-publish", programme_name="Hijack")

    # Refused: kept as a draft, back in the editor (a publish goes to the explorer), not published
    assert publish.status_code == 302 and publish["Location"] == edit_url(destination)
    assert "has been updated" in messages_of(publish)
    assert "published" not in messages_of(publish)
    page = StudyDestinationPage.objects.get(pk=destination.pk)
    assert page.live == already_live and page.live_revision == live_revision
    assert page.has_unpublished_changes
    assert page.get_latest_revision().as_object().programme_name == "Hijack"
    visitor = signed_in(member).get(destination.url)
    if already_live:
        assert visitor.status_code == 200
        assert "Civil Engineering" in visitor.content.decode()
        assert "Hijack" not in visitor.content.decode()
    else:
        assert visitor.status_code == 404


def test_a_reviewer_approving_in_the_admin_publishes_the_submitted_edit(client, catalogue, member):
    destination = StudyDestinationPageFactory(parent=catalogue, deadline_in_days=20)
    author, reviewer = (
        UserFactory(groups=["Programme admins"]),
        UserFactory(groups=["Programme admins"]),
    )
    client.force_login(author)
    submit = post_editor(
        client, destination, "action-submit", programme_name="Hydraulic Engineering"
    )
    assert submit.status_code == 302
    assert "Hydraulic" not in signed_in(member).get(destination.url).content.decode()
    task_state = destination.workflow_states.get().current_task_state

    client.force_login(reviewer)
    approve = client.post(
        f"/admin/pages/workflow/action/{destination.pk}/approve/{task_state.pk}/",
        {"comment": ""},
    )

    assert approve.status_code == 302
    live = StudyDestinationPage.objects.get(pk=destination.pk)
    assert live.programme_name == "Hydraulic Engineering" and not live.has_unpublished_changes
    assert live.live_revision.user == author
    assert "Hydraulic Engineering" in signed_in(member).get(destination.url).content.decode()


def test_member_cannot_edit_a_destination(client, destination, member):
    client.force_login(member)
    before = destination.programme_name

    get = client.get(f"/admin/pages/{destination.pk}/edit/")
    post = client.post(f"/admin/pages/{destination.pk}/edit/", {"programme_name": "Hijack"})

    # Members have no admin access: both requests are sent to the sign-in page.
    for response in (get, post):
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert StudyDestinationPage.objects.get(pk=destination.pk).programme_name == before
    assert not destination.permissions_for_user(member).can_edit()


def test_edits_go_through_review_before_they_are_published(destination):
    # Given one programme admin edits and submits, and another reviews
    author, reviewer = (
        UserFactory(groups=["Programme admins"]),
        UserFactory(groups=["Programme admins"]),
    )
    workflow = destination.get_workflow()
    assert isinstance(workflow, Workflow)

    # (as the editor does: the draft lives in a revision, the page row keeps the live content)
    draft = StudyDestinationPage.objects.get(pk=destination.pk)
    draft.programme_name = "Hydraulic Engineering"
    draft.save_revision(user=author)
    state = workflow.start(draft, author)

    # Then nothing is published until the review approves it
    assert StudyDestinationPage.objects.get(pk=destination.pk).programme_name == "Civil Engineering"
    task_state = state.current_task_state
    assert task_state.task.specific.user_can_access_editor(destination, reviewer)
    task_state.approve(user=reviewer)

    live = StudyDestinationPage.objects.get(pk=destination.pk)
    assert live.programme_name == "Hydraulic Engineering"
    assert live.live_revision.user == author


def test_dashboard_lists_deadlines_in_the_next_60_days(client, catalogue):
    soon = StudyDestinationPageFactory(
        parent=catalogue, university_en="Soon University", deadline_in_days=10
    )
    later = StudyDestinationPageFactory(
        parent=catalogue, university_en="Later University", deadline_in_days=200
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    body = client.get("/admin/").content.decode()

    assert soon.title in body
    assert later.title not in body
