"""The admin dashboard for programme admins: Talent Hub in figures, drawn as SVG charts."""

from django.core.cache import cache
from django.utils.translation import gettext as _

from wagtail import hooks
from wagtail.admin.ui.components import Component

from profiles.roles import is_programme_admin

from . import dashboard
from .charts import bar_chart

FIGURES_CACHE_KEY = "talenthub:dashboard-figures"
FIGURES_CACHE_SECONDS = 300


class FiguresPanel(Component):
    name = "talenthub_figures"
    order = 40
    template_name = "home/admin/figures_panel.html"

    def get_context_data(self, parent_context):
        # A few hundred ms at a few thousand members; five-minute-old figures are fine here.
        figures = cache.get_or_set(FIGURES_CACHE_KEY, compute_figures, FIGURES_CACHE_SECONDS)
        freshness_labels = {
            "within6": _("Within 6 months"),
            "6to12": _("6–12 months"),
            "over12": _("Over 12 months"),
        }
        charts = [
            (_("Profiles by bureau"), figures["bureau"]),
            (_("Profiles by job category"), figures["job_category"]),
            (
                _("Profile freshness (last confirmed)"),
                [(freshness_labels[key], n) for key, n in figures["freshness"]],
            ),
            (_("The 20 most common expertise tags"), figures["top_tags"]),
            (_("Thin coverage: areas two members or fewer have practised"), figures["thin"]),
            (_("Dispatch interest by field"), figures["dispatch_fields"]),
            (_("Dispatch interest by destination"), figures["dispatch_destinations"]),
        ]
        return {
            "charts": [
                {"title": title, "svg": bar_chart(rows, title), "empty": not rows}
                for title, rows in charts
            ]
        }


def compute_figures() -> dict:
    return {
        "bureau": dashboard.profiles_by("bureau"),
        "job_category": dashboard.profiles_by("job_category"),
        "freshness": dashboard.freshness(),
        "top_tags": dashboard.top_tags(20),
        "thin": dashboard.thin_coverage(),
        "dispatch_fields": dashboard.dispatch_interest_by_field(),
        "dispatch_destinations": dashboard.dispatch_interest_by_destination(),
    }


@hooks.register("construct_homepage_panels")
def add_figures_panel(request, panels):
    if is_programme_admin(request.user):
        panels.append(FiguresPanel())
