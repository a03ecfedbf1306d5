"""The moderation queue in the Wagtail admin: flagged posts and replies, and the decisions."""

from collections import OrderedDict

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wagtail.admin import messages

from profiles.roles import is_programme_admin
from talenthub.ids import parse_row_id

from .models import DiscussionPostPage, Flag, Reply
from .moderation import resolve


def is_moderator(user) -> bool:
    return is_programme_admin(user)


def _flagged_content(value: str):
    """The post or reply a queue form names as "post:<id>" or "reply:<id>", else a 404."""
    kind, _sep, pk = value.partition(":")
    model = Reply if kind == "reply" else DiscussionPostPage
    return get_object_or_404(model, pk=parse_row_id(pk))


@require_http_methods(["GET", "POST"])
def moderation_queue(request):
    if not is_moderator(request.user):
        raise PermissionDenied
    if request.method == "POST":
        content = _flagged_content(request.POST.get("content", ""))
        action = request.POST.get("action")
        if action not in {"hide", "restore", "dismiss"}:
            raise PermissionDenied
        resolve(content, action, request.user)
        messages.success(request, _("Done: the flags on this content are resolved."))
        return redirect("community_moderation_queue")
    grouped: OrderedDict = OrderedDict()
    flags = (
        Flag.objects.filter(resolved_at__isnull=True)
        .select_related("post", "reply", "flagged_by")
        .order_by("created_at")
    )
    for flag in flags:
        content = flag.reply or flag.post
        key = ("reply" if flag.reply_id else "post", content.pk)
        entry = grouped.setdefault(key, {"kind": key[0], "content": content, "flags": []})
        entry["flags"].append(flag)
    return TemplateResponse(
        request, "community/admin/moderation_queue.html", {"entries": list(grouped.values())}
    )
