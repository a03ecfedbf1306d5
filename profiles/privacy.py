"""Who may see which part of a profile.

Members choose, per group of fields, whether all members, only managers and programme admins,
or only they themselves see it. Every path that shows profile content (pages, directory,
search results, matching, API, CSV) asks this module, so a rule is written once.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .roles import is_manager_or_programme_admin


class Visibility(models.TextChoices):
    MEMBERS = "members", _("All members")
    STAFF = "staff", _("Managers and programme admins only")
    PRIVATE = "private", _("Only me")


# Audiences: who is looking. Staff see what members see and what is shared with staff.
MEMBERS_AUDIENCE = "members"
STAFF_AUDIENCE = "staff"
AUDIENCES = (MEMBERS_AUDIENCE, STAFF_AUDIENCE)

# Field groups a member controls, and the ProfilePage field holding each choice.
FIELD_GROUPS = {
    "contact": "visibility_contact",
    "languages": "visibility_languages",
    "experience": "visibility_experience",
    "bio": "visibility_bio",
    "photo": "visibility_photo",
}

_VISIBLE_TO = {
    MEMBERS_AUDIENCE: {Visibility.MEMBERS},
    STAFF_AUDIENCE: {Visibility.MEMBERS, Visibility.STAFF},
}


def audience_of(user) -> str:
    """The audience a signed-in user belongs to (cached on the user for the request)."""
    cached = getattr(user, "_talenthub_audience", None)
    if cached:
        return cached
    is_staff_viewer = is_manager_or_programme_admin(user)
    audience = STAFF_AUDIENCE if is_staff_viewer else MEMBERS_AUDIENCE
    if getattr(user, "is_authenticated", False):
        user._talenthub_audience = audience
    return audience


def visibility_of(profile, group: str) -> str:
    return getattr(profile, FIELD_GROUPS[group]) or Visibility.MEMBERS


def visibilities_seen_by(audience: str) -> list[str]:
    """Visibility values whose fields this audience sees (for queryset filters)."""
    return sorted(_VISIBLE_TO[audience])


def audience_sees(visibility: str, audience: str) -> bool:
    return visibility in _VISIBLE_TO[audience]


def can_see(profile, group: str, user) -> bool:
    """Whether `user` may see this group of fields of `profile`."""
    if profile.user_id and getattr(user, "pk", None) == profile.user_id:
        return True
    return audience_sees(visibility_of(profile, group), audience_of(user))
