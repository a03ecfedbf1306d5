"""Programme admins curate destinations (not profiles), and every edit goes through review."""

from django.contrib.auth.models import Group, Permission

from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from profiles.signal_handlers import PROGRAMME_ADMINS_GROUP

WORKFLOW_NAME = "留学先の審査 / Destination review"


def grant_programme_admins(catalogue) -> None:
    """Page rights on the catalogue only, image/document rights, and the review workflow.

    Programme admins may add and edit destinations; an edit is submitted to the review workflow,
    where a programme admin approves (publishes) it.
    """
    group = Group.objects.filter(name=PROGRAMME_ADMINS_GROUP).first()
    if group is None:
        return
    # Publishing is granted so an approving reviewer can publish; the editor hides the direct
    # "Publish" action (wagtail_hooks), so changes reach the site only through review.
    for codename in ("add_page", "change_page", "publish_page"):
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
