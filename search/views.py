"""Site search over every published page, on whichever Wagtail search backend is configured."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse

from wagtail.models import Page

RESULTS_PER_PAGE = 10


def search(request: HttpRequest):
    """Published pages matching the query, ten at a time."""
    query = request.GET.get("query", "").strip()[:200]
    results = Page.objects.live().specific().search(query) if query else Page.objects.none()
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "search_results": Paginator(results, RESULTS_PER_PAGE).get_page(
                request.GET.get("page")
            ),
            "pagination_query": urlencode({"query": query}),
        },
    )
