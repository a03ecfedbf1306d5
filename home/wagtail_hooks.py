"""The admin dashboard for programme admins: Talent Hub in figures, drawn as SVG charts."""

from django.utils.translation import gettext as _

from wagtail import hooks
from wagtail.admin.ui.components import Component

from profiles.roles import is_programme_admin

from . import dashboard
from .charts import bar_chart


class FiguresPanel(Component):
    name = "talenthub_figures"
    order = 40
    template_name = "home/admin/figures_panel.html"

    def get_context_data(self, parent_context):
        freshness_labels = {
            "within6": _("Within 6 months"),
            "6to12": _("6–12 months"),
            "over12": _("Over 12 months"),
        }
        charts = [
            (_("Profiles by bureau"), dashboard.profiles_by("bureau")),
            (_("Profiles by job category"), dashboard.profiles_by("job_category")),
            (
                _("Profile freshness (last confirmed)"),
                [(freshness_labels[key], n) for key, n in dashboard.freshness()],
            ),
            (_("The 20 most common expertise tags"), dashboard.top_tags(20)),
            (
                _("Thin coverage: areas two members or fewer have practised"),
                dashboard.thin_coverage(),
            ),
            (_("Dispatch interest by field"), dashboard.dispatch_interest_by_field()),
            (_("Dispatch interest by destination"), dashboard.dispatch_interest_by_destination()),
        ]
        return {
            "charts": [
                {"title": title, "svg": bar_chart(rows, title), "empty": not rows}
                for title, rows in charts
            ]
        }


@hooks.register("construct_homepage_panels")
def add_figures_panel(request, panels):
    if is_programme_admin(request.user):
        panels.append(FiguresPanel())
