from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudyAbroadConfig(AppConfig):
    name = "studyabroad"
    verbose_name = _("Study destinations")
    default_auto_field = "django.db.models.BigAutoField"
