"""Listing, posting and replying from the front end."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from talenthub import clock

from .forms import PostForm, ReplyForm
from .models import (
    CategoryPage,
    DiscussionPostPage,
    Notification,
    NotificationSetting,
    PostFollow,
    Reply,
)
from .notifications import notify_new_post, notify_new_reply

POSTS_PER_PAGE = 20
# Posting limits per member and hour (a runaway script or a flame war, not normal use).
POSTS_PER_HOUR = 10
REPLIES_PER_HOUR = 60


def listing_context(request: HttpRequest, posts) -> dict:
    """Posts by latest activity (or most replies this month), optionally with one tag."""
    month_ago = clock.now() - datetime.timedelta(days=30)
    posts = (
        posts.live()
        .select_related("author")
        .annotate(
            reply_count=Count("replies", filter=Q(replies__is_deleted=False), distinct=True),
            recent_replies=Count(
                "replies",
                filter=Q(replies__is_deleted=False, replies__created_at__gte=month_ago),
                distinct=True,
            ),
        )
    )
    tag = request.GET.get("tag", "").strip()
    if tag:
        posts = posts.filter(tags__slug=tag)
    sort = "replies" if request.GET.get("sort") == "replies" else "latest"
    posts = (
        posts.order_by("-recent_replies", "-last_activity_at")
        if sort == "replies"
        else (posts.order_by("-last_activity_at"))
    )
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "posts": Paginator(posts, POSTS_PER_PAGE).get_page(request.GET.get("page")),
        "sort": sort,
        "selected_tag": tag,
        "filter_query": query.urlencode(),
    }


def _publish(page: DiscussionPostPage, user) -> None:
    # Ownership was checked by the view; members hold no Wagtail page permissions.
    page.save_revision(user=user, log_action=True).publish(user=user, skip_permission_checks=True)


def _posted_in_the_last_hour(model, user, time_field: str) -> int:
    since = clock.now() - datetime.timedelta(hours=1)
    return model.objects.filter(author=user, **{f"{time_field}__gte": since}).count()


def _post_form(request, form, page, post, status: int | None = None) -> TemplateResponse:
    """The new/edit post form; a POST that comes back here was refused (400 unless given)."""
    if status is None:
        status = 400 if request.method == "POST" else 200
    return TemplateResponse(
        request,
        "community/post_form.html",
        {"page": page, "form": form, "post": post},
        status=status,
    )


@login_required
def create_post(request: HttpRequest, category: CategoryPage) -> HttpResponse:
    form = PostForm(request.POST or None)
    if request.method == "POST" and (
        _posted_in_the_last_hour(DiscussionPostPage, request.user, "first_published_at")
        >= POSTS_PER_HOUR
    ):
        form.add_error(
            None,
            _("You have posted %(limit)s times in the last hour. Please wait a little.")
            % {"limit": POSTS_PER_HOUR},
        )
        return _post_form(request, form, category, None, status=429)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            post = DiscussionPostPage(
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                author=request.user,
                owner=request.user,
                live=False,
            )
            post.tags.set(form.cleaned_data["tags"])
            category.add_child(instance=post)
            _publish(post, request.user)
            transaction.on_commit(lambda: notify_new_post(post))
        messages.success(request, _("Your post has been published."))
        return redirect(post.url)
    return _post_form(request, form, category, None)


@login_required
def edit_post(request: HttpRequest, post: DiscussionPostPage) -> HttpResponse:
    if not post.can_edit(request.user):
        raise PermissionDenied
    initial = {
        "title": post.title,
        "body": post.body,
        "tags": ", ".join(tag.name for tag in post.tags.all()),
    }
    form = PostForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            post.title = form.cleaned_data["title"]
            post.body = form.cleaned_data["body"]
            post.tags.set(form.cleaned_data["tags"])
            _publish(post, request.user)
        messages.success(request, _("Your post has been updated."))
        return redirect(post.url)
    return _post_form(request, form, post, post)


@login_required
@require_POST
def add_reply(request: HttpRequest, post: DiscussionPostPage) -> HttpResponse:
    if _posted_in_the_last_hour(Reply, request.user, "created_at") >= REPLIES_PER_HOUR:
        messages.error(
            request,
            _("You have replied %(limit)s times in the last hour. Please wait a little.")
            % {"limit": REPLIES_PER_HOUR},
        )
        response = redirect(post.url)
        response.status_code = 303
        return response
    form = ReplyForm(request.POST, post=post)
    if not form.is_valid():
        messages.error(
            request,
            _("The reply could not be posted: %(errors)s")
            % {"errors": " ".join(e for errors in form.errors.values() for e in errors)},
        )
        return redirect(post.url)
    with transaction.atomic():
        reply = form.save(commit=False)
        reply.post = post
        reply.author = request.user
        reply.save()
        # A plain update: last_activity_at only orders listings, it needs no new revision.
        DiscussionPostPage.objects.filter(pk=post.pk).update(last_activity_at=reply.created_at)
        transaction.on_commit(lambda: notify_new_reply(reply))
    return redirect(f"{post.url}#reply-{reply.pk}")


def _own_reply(request, post, reply_id, check) -> Reply:
    reply = get_object_or_404(Reply, pk=reply_id, post=post)
    if not check(reply, request.user):
        raise PermissionDenied
    return reply


@login_required
def edit_reply(request: HttpRequest, post: DiscussionPostPage, reply_id: int) -> HttpResponse:
    reply = _own_reply(request, post, reply_id, lambda r, u: r.can_edit(u))
    form = ReplyForm(request.POST or None, instance=reply, post=post)
    if request.method == "POST" and form.is_valid():
        reply = form.save(commit=False)
        reply.edited_at = clock.now()
        reply.save()
        return redirect(f"{post.url}#reply-{reply.pk}")
    return TemplateResponse(
        request, "community/reply_form.html", {"page": post, "form": form, "reply": reply}
    )


@login_required
@require_POST
def delete_reply(request: HttpRequest, post: DiscussionPostPage, reply_id: int) -> HttpResponse:
    reply = _own_reply(request, post, reply_id, lambda r, u: r.can_delete(u))
    reply.is_deleted = True
    reply.body = ""
    reply.save(update_fields=["is_deleted", "body"])
    messages.success(request, _("Your reply has been deleted."))
    return redirect(post.url)


@login_required
@require_POST
def flag_content(request: HttpRequest, post: DiscussionPostPage, reply_id: int | None):
    """Any member may flag a post or reply, once, with a reason."""
    from .moderation import flag

    content = get_object_or_404(Reply, pk=reply_id, post=post) if reply_id else post
    reason = request.POST.get("reason", "").strip()
    if not reason:
        messages.error(request, _("Say briefly why you are flagging this."))
        return redirect(post.url)
    flag(content, request.user, reason)
    messages.success(request, _("Thank you. Moderators will review it."))
    return redirect(post.url)


@login_required
@require_POST
def toggle_follow(request: HttpRequest, post: DiscussionPostPage) -> HttpResponse:
    follow, created = PostFollow.objects.get_or_create(user=request.user, post=post)
    if not created:
        follow.delete()
    return redirect(post.url)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    """The member's notifications (newest first) and their email setting."""
    setting, _created = NotificationSetting.objects.get_or_create(user=request.user)
    if request.method == "POST":
        if request.POST.get("email") in dict(NotificationSetting.EMAIL_CHOICES):
            setting.email = request.POST["email"]
            setting.save()
            messages.success(request, _("Your notification setting has been saved."))
        if "mark_read" in request.POST:
            Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
                read_at=clock.now()
            )
        return redirect("notifications")
    notifications = Notification.objects.filter(recipient=request.user).select_related(
        "actor__profile", "post"
    )
    return TemplateResponse(
        request,
        "community/notifications.html",
        {
            "notifications": Paginator(notifications, 30).get_page(request.GET.get("page")),
            "setting": setting,
            "email_choices": NotificationSetting.EMAIL_CHOICES,
        },
    )


@login_required
def mention_suggestions(request: HttpRequest) -> JsonResponse:
    """Members whose Japanese or English name (or staff number) matches what follows '@'."""
    from profiles.models import ProfilePage

    term = request.GET.get("q", "").strip()[:50]
    if not term:
        return JsonResponse({"members": []})
    profiles = (
        ProfilePage.objects.live()
        .filter(
            Q(name_ja__icontains=term)
            | Q(name_en__icontains=term)
            | Q(external_id__istartswith=term)
        )
        .select_related("bureau")
        .order_by("name_ja")[:8]
    )
    return JsonResponse(
        {
            "members": [
                {
                    "label": " / ".join(filter(None, [p.name_ja, p.name_en]))
                    + (f" ({p.bureau})" if p.bureau else ""),
                    "insert": f"@[{p.display_name}]({p.external_id})",
                }
                for p in profiles
            ]
        }
    )
