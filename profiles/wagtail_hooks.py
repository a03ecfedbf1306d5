"""Admin menu entries and URLs for programme admins: the expertise vocabulary and the
stale-profile report."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import edit_tag, merge, stale_profiles_report, vocabulary
from .roles import is_programme_admin


class ProgrammeAdminMenuItem(MenuItem):
    def is_shown(self, request):
        return is_programme_admin(request.user)


@hooks.register("register_admin_urls")
def vocabulary_urls():
    return [
        path("vocabulary/", vocabulary, name="profiles_vocabulary"),
        path("vocabulary/merge/", merge, name="profiles_vocabulary_merge"),
        path("vocabulary/<int:tag_id>/", edit_tag, name="profiles_vocabulary_edit"),
        path("profiles/stale/", stale_profiles_report, name="profiles_stale_report"),
    ]


@hooks.register("register_admin_menu_item")
def vocabulary_menu_item():
    return ProgrammeAdminMenuItem(
        _("Expertise vocabulary"), reverse("profiles_vocabulary"), icon_name="tag", order=850
    )


@hooks.register("register_admin_menu_item")
def stale_profiles_menu_item():
    return ProgrammeAdminMenuItem(
        _("Stale profiles"), reverse("profiles_stale_report"), icon_name="time", order=860
    )
