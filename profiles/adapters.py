"""Allauth behaviour for staff accounts: sign-up only from the organisation's email domains."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


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


class StaffSocialAccountAdapter(DefaultSocialAccountAdapter):
    """Everyone the organisation's identity provider signs in is staff: a member who was not
    imported gets an account on first sign-in; an imported one is linked by email."""

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True
