import os

from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView

from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from community import views as community_views
from profiles.views import serve_media
from search import shortlist_views
from search import views as search_views
from search.api import api
from talenthub import ids  # noqa: F401 - registers the <id:…> converter

urlpatterns = [
    # One sign-in page for the site and the admin, so PASSWORD_LOGIN=off covers both.
    path(
        "admin/login/",
        RedirectView.as_view(pattern_name="account_login", query_string=True),
        name="admin_login_redirect",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("notifications/", community_views.notification_list, name="notifications"),
    path("mentions/", community_views.mention_suggestions, name="mention_suggestions"),
    path("experts/", search_views.find_experts, name="find_experts"),
    path("experts/export.csv", search_views.export_experts, name="export_experts"),
    path("experts/shortlists/", shortlist_views.shortlist_index, name="shortlists"),
    path("experts/shortlists/add/", shortlist_views.add_to_shortlist, name="add_to_shortlist"),
    path(
        "experts/shortlists/<id:shortlist_id>/",
        shortlist_views.shortlist_detail,
        name="shortlist_detail",
    ),
    path(
        "experts/shortlists/<id:shortlist_id>/export/",
        shortlist_views.shortlist_csv,
        name="shortlist_csv",
    ),
    path("experts/match/", search_views.match_project, name="match_project"),
    path("api/v1/", api.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# Uploaded files are for signed-in members only, and profile photos only for those their
# member allows: served through Django behind the members-only middleware, unless a front
# server is configured to do that check itself (MEDIA_SERVED_EXTERNALLY=1).
if os.environ.get("MEDIA_SERVED_EXTERNALLY") != "1":
    urlpatterns += [path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve_media)]

urlpatterns += [path("", include(wagtail_urls))]
