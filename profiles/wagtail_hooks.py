"""Admin menu entries and URLs for programme admins: the expertise vocabulary and the
stale-profile report."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import (
    decide_synonym_proposal,
    edit_tag,
    merge,
    refresh_synonym_proposals,
    stale_profiles_report,
    synonym_proposals,
    vocabulary,
)
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
        path("vocabulary/proposals/", synonym_proposals, name="profiles_synonym_proposals"),
        path(
            "vocabulary/proposals/refresh/",
            refresh_synonym_proposals,
            name="profiles_synonym_proposals_refresh",
        ),
        path(
            "vocabulary/proposals/<int:proposal_id>/",
            decide_synonym_proposal,
            name="profiles_synonym_proposal_decide",
        ),
        path("profiles/stale/", stale_profiles_report, name="profiles_stale_report"),
    ]


@hooks.register("register_admin_menu_item")
def vocabulary_menu_item():
    return ProgrammeAdminMenuItem(
        _("Expertise vocabulary"), reverse("profiles_vocabulary"), icon_name="tag", order=850
    )


@hooks.register("register_admin_menu_item")
def synonym_proposals_menu_item():
    return ProgrammeAdminMenuItem(
        _("Synonym proposals"),
        reverse("profiles_synonym_proposals"),
        icon_name="tag",
        order=855,
    )


@hooks.register("register_admin_menu_item")
def stale_profiles_menu_item():
    return ProgrammeAdminMenuItem(
        _("Stale profiles"), reverse("profiles_stale_report"), icon_name="time", order=860
    )
