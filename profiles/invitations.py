"""Invitations for imported members: a password-set link instead of a password."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str


def password_set_url(user) -> str:
    """An absolute link to allauth's set-password page, valid for PASSWORD_RESET_TIMEOUT."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def send_invitation(user) -> None:
    """Email one member their invitation, in Japanese with an English version below."""
    with translation.override("ja"):
        context = {
            "user": user,
            "url": password_set_url(user),
            "site_url": settings.WAGTAILADMIN_BASE_URL,
        }
        subject = render_to_string("profiles/email/invitation_subject.txt", context).strip()
        body = render_to_string("profiles/email/invitation_message.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
