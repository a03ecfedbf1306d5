from django import template

from profiles.privacy import FIELD_GROUPS, can_see

register = template.Library()


@register.filter
def can_edit_profile(profile, user) -> bool:
    """Whether this user may edit this profile from the front end."""
    return profile.can_edit(user)


@register.simple_tag
def profile_visibility(profile, user) -> dict[str, bool]:
    """{group: whether `user` sees it} for a profile's privacy groups (profiles.privacy)."""
    if profile is None:
        return {}
    return {group: can_see(profile, group, user) for group in FIELD_GROUPS}
