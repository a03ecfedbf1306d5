"""Wagtail admin: a dashboard panel of application deadlines in the next 60 days."""

import datetime

from wagtail import hooks
from wagtail.admin.ui.components import Component

from talenthub import clock

from .models import ApplicationDeadline

UPCOMING_DAYS = 60


class UpcomingDeadlinesPanel(Component):
    name = "upcoming_deadlines"
    order = 50
    template_name = "studyabroad/admin/upcoming_deadlines_panel.html"

    def get_context_data(self, parent_context):
        today = clock.today()
        deadlines = (
            ApplicationDeadline.objects.filter(
                date__gte=today,
                date__lte=today + datetime.timedelta(days=UPCOMING_DAYS),
                page__live=True,
            )
            .select_related("page")
            .order_by("date")
        )
        return {"deadlines": deadlines, "days": UPCOMING_DAYS, "today": today}


@hooks.register("construct_homepage_panels")
def add_upcoming_deadlines_panel(request, panels):
    panels.append(UpcomingDeadlinesPanel())
