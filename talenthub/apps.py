from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TalentHubConfig(AppConfig):
    """The project itself as an app: the task worker command and the shared task rules."""

    name = "talenthub"
    verbose_name = _("Talent Hub")

    def ready(self):
        from . import tasks  # noqa: F401  (connects the periodic-task signal receiver)
