"""Navigation every page template needs: the sections and the member's own profile."""

from django.http import HttpRequest


def site_navigation(request: HttpRequest) -> dict:
    """Links to the directory and to the signed-in member's profile, resolved lazily."""
    from community.models import CommunityIndexPage
    from profiles.models import ProfileIndexPage, ProfilePage
    from studyabroad.models import (
        DispatchProgrammePage,
        ExchangeReportIndexPage,
        StudyDestinationIndexPage,
    )

    def directory():
        return ProfileIndexPage.objects.live().first()

    def my_profile():
        user = getattr(request, "user", None)
        if not user or not user.is_authenticated:
            return None
        return ProfilePage.objects.filter(user=user).first()

    # Callables are evaluated by the template only where used, so pages that don't show
    # the navigation cost no queries.
    def catalogue():
        return StudyDestinationIndexPage.objects.live().first()

    def dispatch():
        return DispatchProgrammePage.objects.live().order_by("-fiscal_year").first()

    def reports():
        return ExchangeReportIndexPage.objects.live().first()

    def community():
        return CommunityIndexPage.objects.live().first()

    def unread_notifications():
        from community.models import Notification

        user = getattr(request, "user", None)
        if not user or not user.is_authenticated:
            return 0
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {
        "nav_directory": directory,
        "nav_my_profile": my_profile,
        "nav_catalogue": catalogue,
        "nav_community": community,
        "nav_reports": reports,
        "nav_dispatch": dispatch,
        "unread_notifications": unread_notifications,
    }
