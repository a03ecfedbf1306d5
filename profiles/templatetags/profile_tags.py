from django import template

register = template.Library()


@register.filter
def can_edit_profile(profile, user) -> bool:
    """Whether this user may edit this profile from the front end."""
    return profile.can_edit(user)
