"""Admin menu entry and URL of the moderation queue, for programme admins."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import is_moderator, moderation_queue


class ModerationMenuItem(MenuItem):
    def is_shown(self, request):
        return is_moderator(request.user)


@hooks.register("register_admin_urls")
def moderation_urls():
    return [path("community/flags/", moderation_queue, name="community_moderation_queue")]


@hooks.register("register_admin_menu_item")
def moderation_menu_item():
    return ModerationMenuItem(
        _("Flagged content"), reverse("community_moderation_queue"), icon_name="warning", order=900
    )
