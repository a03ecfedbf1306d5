"""The moderation queue in the Wagtail admin: flagged posts and replies, and the decisions."""

from collections import OrderedDict

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from wagtail.admin import messages

from profiles.roles import is_programme_admin

from .models import DiscussionPostPage, Flag, Reply
from .moderation import resolve


def is_moderator(user) -> bool:
    return is_programme_admin(user)


@require_http_methods(["GET", "POST"])
def moderation_queue(request):
    if not is_moderator(request.user):
        raise PermissionDenied
    if request.method == "POST":
        kind, pk = request.POST.get("content", ":").split(":", 1)
        model = Reply if kind == "reply" else DiscussionPostPage
        content = get_object_or_404(model, pk=pk)
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
