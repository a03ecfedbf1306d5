"""Programme admins curate destinations (not profiles), and every edit goes through review."""

from django.contrib.auth.models import Group, Permission

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    PagePermissionTester,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)

from profiles.signal_handlers import PROGRAMME_ADMINS_GROUP

WORKFLOW_NAME = "留学先の審査 / Destination review"
CATALOGUE_PAGE_PERMISSIONS = ("add_page", "change_page")


def grant_programme_admins(catalogue) -> None:
    """Page rights on the catalogue only, image/document rights, and the review workflow.

    Programme admins may add and edit destinations; an edit is submitted to the review workflow,
    where a programme admin approves (publishes) it.
    """
    group = Group.objects.filter(name=PROGRAMME_ADMINS_GROUP).first()
    if group is None:
        return
    # No "publish_page": Wagtail then refuses a direct publish, however it is requested, and
    # changes reach the site only when a reviewer approves them (DestinationPermissionTester).
    for codename in CATALOGUE_PAGE_PERMISSIONS:
        GroupPagePermission.objects.get_or_create(
            group=group,
            page=catalogue,
            permission=Permission.objects.get(
                content_type__app_label="wagtailcore", codename=codename
            ),
        )
    root_collection = Collection.get_first_root_node()
    for app_label, codenames in (
        ("wagtailimages", ("add_image", "choose_image")),
        ("wagtaildocs", ("add_document", "choose_document")),
    ):
        for codename in codenames:
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission and root_collection:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root_collection, permission=permission
                )
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    if not WorkflowTask.objects.filter(workflow=workflow).exists():
        # A workflow without tasks would approve (publish) every submission at once.
        task = GroupApprovalTask.objects.create(name="Programme admin review")
        task.groups.set([group])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(page=catalogue, defaults={"workflow": workflow})


class DestinationPermissionTester(PagePermissionTester):
    """Page permissions on a destination, plus the one publish that a review approval makes.

    Programme admins have no publish permission, so Wagtail refuses to publish a destination for
    them however it is asked (editor, bulk action, API). When a reviewer approves the review
    task, Wagtail publishes the latest revision as that reviewer and asks `can_publish` again:
    that publish, and only that one, is allowed.
    """

    def can_publish(self) -> bool:
        return super().can_publish() or self._publishes_what_this_user_approved()

    def _publishes_what_this_user_approved(self) -> bool:
        """The page's last review was approved by this user, and its latest revision (which the
        approval publishes) is not live yet and no newer than the approval."""
        if not self.user.is_active:
            return False
        state = self.page.workflow_states.order_by("-created_at").first()
        if state is None or state.status != WorkflowState.STATUS_APPROVED:
            return False
        approval = state.current_task_state
        if approval is None or approval.finished_by_id != self.user.pk:
            return False
        page = (
            Page.objects.filter(pk=self.page.pk)
            .values("live_revision_id", "latest_revision_id", "latest_revision__created_at")
            .first()
        )
        return bool(
            page
            and page["latest_revision_id"]
            and page["latest_revision_id"] != page["live_revision_id"]
            and page["latest_revision__created_at"] <= approval.finished_at
        )
