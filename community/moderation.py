"""Flags, automatic hiding, and the moderators' hide / restore / dismiss actions.

Hiding a post unpublishes it (so it leaves listings, search and its URL) and keeps every
revision, so restoring republishes it unchanged; a hidden reply keeps its text for moderators.
"""

from django.db import transaction

from talenthub import clock

from .models import FLAGS_THAT_HIDE, DiscussionPostPage, Flag, Reply


def open_flags_for(content) -> "Flag.objects":
    if isinstance(content, Reply):
        return Flag.objects.filter(reply=content, resolved_at__isnull=True)
    return Flag.objects.filter(post=content, reply__isnull=True, resolved_at__isnull=True)


@transaction.atomic
def flag(content, user, reason: str) -> Flag:
    """Record a member's flag; three members' open flags hide the content until reviewed."""
    fields = {"reply": content} if isinstance(content, Reply) else {"post": content, "reply": None}
    if isinstance(content, Reply):
        fields["post"] = content.post
    flag_row, _created = Flag.objects.get_or_create(
        flagged_by=user, **fields, defaults={"reason": reason[:500]}
    )
    if open_flags_for(content).values("flagged_by").distinct().count() >= FLAGS_THAT_HIDE:
        hide(content)
    return flag_row


def hide(content) -> None:
    if isinstance(content, Reply):
        Reply.objects.filter(pk=content.pk).update(is_hidden=True)
        return
    content = DiscussionPostPage.objects.get(pk=content.pk)
    content.is_hidden = True
    content.save(update_fields=["is_hidden"])
    if content.live:
        content.unpublish()


def restore(content) -> None:
    if isinstance(content, Reply):
        Reply.objects.filter(pk=content.pk).update(is_hidden=False)
        return
    content = DiscussionPostPage.objects.get(pk=content.pk)
    content.is_hidden = False
    content.save(update_fields=["is_hidden"])
    revision = content.get_latest_revision()
    if revision is not None:
        revision.publish(skip_permission_checks=True)


@transaction.atomic
def resolve(content, action: str, moderator) -> None:
    """Apply a moderator's decision (hide, restore or dismiss) and close the open flags."""
    if action == "hide":
        hide(content)
        resolution = "hidden"
    elif action == "restore":
        restore(content)
        resolution = "restored"
    else:
        if getattr(content, "is_hidden", False):
            restore(content)
        resolution = "dismissed"
    open_flags_for(content).update(resolved_at=clock.now(), resolution=resolution)
