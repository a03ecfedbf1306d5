"""The home page: what Talent Hub is and where to go from here."""

from django.utils.translation import gettext_lazy as _

from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class HomePage(Page):
    """The site root: a short introduction and links to the sections."""

    intro_ja = RichTextField(_("introduction (Japanese)"), blank=True)
    intro_en = RichTextField(_("introduction (English)"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro_ja"), FieldPanel("intro_en")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from profiles.models import ProfilePage

        context = super().get_context(request, *args, **kwargs)
        context["member_count"] = ProfilePage.objects.live().count()
        context["recent_members"] = (
            ProfilePage.objects.live()
            .select_related("bureau", "job_category", "photo")
            .order_by("-last_published_at")[:6]
        )
        return context
