"""Allauth behaviour for staff accounts: sign-up only from the organisation's email domains."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from allauth.account.adapter import DefaultAccountAdapter


def email_domain_allowed(email: str) -> bool:
    """Whether an address belongs to one of ALLOWED_SIGNUP_DOMAINS (no setting = nobody)."""
    domain = email.rsplit("@", 1)[-1].lower()
    return domain in settings.ALLOWED_SIGNUP_DOMAINS


class StaffAccountAdapter(DefaultAccountAdapter):
    """Restricts sign-up to staff email domains; everything else is allauth's default."""

    def is_open_for_signup(self, request) -> bool:
        return bool(settings.ALLOWED_SIGNUP_DOMAINS)

    def clean_email(self, email: str) -> str:
        email = super().clean_email(email)
        if not email_domain_allowed(email):
            raise forms.ValidationError(
                _("Sign-up is limited to staff email addresses (%(domains)s).")
                % {"domains": ", ".join("@" + d for d in settings.ALLOWED_SIGNUP_DOMAINS)}
            )
        return email
