"""The expertise vocabulary's admin menu entry and URLs, for programme admins."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import edit_tag, merge, vocabulary
from .roles import is_programme_admin


class VocabularyMenuItem(MenuItem):
    def is_shown(self, request):
        return is_programme_admin(request.user)


@hooks.register("register_admin_urls")
def vocabulary_urls():
    return [
        path("vocabulary/", vocabulary, name="profiles_vocabulary"),
        path("vocabulary/merge/", merge, name="profiles_vocabulary_merge"),
        path("vocabulary/<int:tag_id>/", edit_tag, name="profiles_vocabulary_edit"),
    ]


@hooks.register("register_admin_menu_item")
def vocabulary_menu_item():
    return VocabularyMenuItem(
        _("Expertise vocabulary"), reverse("profiles_vocabulary"), icon_name="tag", order=850
    )
