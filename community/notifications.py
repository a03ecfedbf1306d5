"""Who hears about a new post or reply: mentioned members, the post's author, its followers."""

import re

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from profiles.models import ProfilePage
from talenthub import clock

from .models import Notification, NotificationSetting, PostFollow

# @M00042 (a staff number) or @[山田 太郎](M00042), which the mention autocomplete inserts.
MENTION = re.compile(r"@\[([^\]]{1,100})\]\(([\w-]{1,32})\)|@([A-Za-z][\w-]{2,31})")


def mentioned_profiles(text: str) -> list[ProfilePage]:
    ids = {m.group(2) or m.group(3) for m in MENTION.finditer(text or "")}
    if not ids:
        return []
    return list(ProfilePage.objects.live().filter(external_id__in=ids).select_related("user"))


def link_mentions(text: str) -> str:
    """Mentions become Markdown links to the members' profiles (rendered and sanitised later)."""
    profiles = {p.external_id: p for p in mentioned_profiles(text)}

    def replace(match):
        profile = profiles.get(match.group(2) or match.group(3))
        if profile is None or not profile.url:
            return match.group(0)
        return f"[@{profile.display_name}]({profile.url})"

    return MENTION.sub(replace, text or "")


def notify_new_post(post) -> None:
    PostFollow.objects.get_or_create(user=post.author, post=post)
    for profile in mentioned_profiles(post.body):
        if profile.user and profile.user != post.author:
            _notify(profile.user, "mention", post, None, post.author)


def notify_new_reply(reply) -> None:
    post = reply.post
    told = {reply.author_id}
    for profile in mentioned_profiles(reply.body):
        if profile.user and profile.user_id not in told:
            _notify(profile.user, "mention", post, reply, reply.author)
            told.add(profile.user_id)
    if post.author_id and post.author_id not in told:
        _notify(post.author, "reply", post, reply, reply.author)
        told.add(post.author_id)
    for follow in (
        PostFollow.objects.filter(post=post).exclude(user_id__in=told).select_related("user")
    ):
        _notify(follow.user, "followed", post, reply, reply.author)
    PostFollow.objects.get_or_create(user=reply.author, post=post)


def _notify(recipient, kind, post, reply, actor) -> Notification:
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, post=post, reply=reply, actor=actor
    )
    if NotificationSetting.email_frequency(recipient) == "immediately":
        from .tasks import email_notifications

        email_notifications.enqueue([notification.pk])
    return notification


def send_notification_emails(recipient, notifications) -> None:
    """One email (Japanese with English) for one or several notifications."""
    with translation.override("ja"):
        body = render_to_string(
            "community/email/notifications.txt",
            {"notifications": notifications, "site_url": settings.WAGTAILADMIN_BASE_URL},
        )
    subject = "[Talent Hub] お知らせ / Notifications"
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient.email])
    Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(emailed_at=clock.now())
