from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProfilesConfig(AppConfig):
    name = "profiles"
    verbose_name = _("Staff profiles")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signal_handlers  # noqa: F401
