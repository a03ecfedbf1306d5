"""Site search, "Find experts" and "Match to a project" pages."""

import re
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from wagtail.models import Page

from profiles.exports import csv_response, member_columns, member_row, profiles_for_export
from profiles.models import Bureau, JobCategory, ProfilePage
from profiles.privacy import audience_of
from profiles.roles import is_manager_or_programme_admin
from profiles.vocabularies import CEFR_LEVELS, LANGUAGE_NAMES
from talenthub.ids import parse_row_id

from .backends import match_members_to_project
from .experts import ExpertSearch, search_experts
from .forms import ProjectMatchForm
from .shortlist_views import own_shortlists
from .site_search import used_fallback

RESULTS_PER_PAGE = 10
EXPORT_LIMIT = 5000
MAX_SEARCH_LENGTH = 200
# Characters no word search needs that break the database backend: a double quote opens a
# phrase in SQLite's full-text syntax, and NUL (like other control characters) is not text.
_UNSEARCHABLE = re.compile(r'["\x00-\x1f\x7f]')


def searchable_text(text: str) -> str:
    """The words of a site-search query, without the characters the search cannot take."""
    return " ".join(_UNSEARCHABLE.sub(" ", text).split())[:MAX_SEARCH_LENGTH]


def search(request: HttpRequest):
    """Published pages matching the query, ten at a time."""
    query = searchable_text(request.GET.get("query", ""))
    results = Page.objects.live().specific().search(query) if query else Page.objects.none()
    page = Paginator(results, RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    list(page.object_list)  # run the search now, to know whether the engine answered it
    return TemplateResponse(
        request,
        "search/search.html",
        {
            "search_query": query,
            "search_results": page,
            "search_fallback": used_fallback(results),
            "pagination_query": urlencode({"query": query}),
        },
    )


def _with_profiles(items, profile_id_of):
    """Attach each item's ProfilePage (photo, names) with one query."""
    profiles = ProfilePage.objects.select_related("photo").in_bulk(
        [profile_id_of(item) for item in items]
    )
    return [(item, profiles.get(profile_id_of(item))) for item in items]


def _expert_search(request: HttpRequest) -> ExpertSearch:
    """The expert-search parameters of a request (every filter is a query parameter)."""
    get = request.GET
    language = get.get("language", "") if get.get("language", "") in LANGUAGE_NAMES else ""
    min_level = get.get("min_level", "") if get.get("min_level", "") in CEFR_LEVELS else ""
    overseas = {"yes": True, "no": False}.get(get.get("overseas", ""))
    return ExpertSearch(
        q=get.get("q", "").strip()[:500],
        tag=get.get("tag", "").strip(),
        bureau=get.get("bureau", "").strip(),
        job_category=get.get("job_category", "").strip(),
        language=language,
        min_level=min_level,
        overseas=overseas,
        page=parse_row_id(get.get("page")) or 1,  # "²" is a digit to isdigit(), not to int()
        audience=audience_of(request.user),
    )


def export_experts(request: HttpRequest):
    """Every member the current expert search finds, as CSV, in ranked order."""
    result = search_experts(_expert_search(request), per_page=EXPORT_LIMIT)
    order = [expert.profile_id for expert in result.experts]
    profiles = profiles_for_export(ProfilePage.objects.filter(pk__in=order)).in_bulk()
    rows = [
        [*member_row(profiles[expert.profile_id], request.user), " / ".join(expert.reasons)]
        for expert in result.experts
        if expert.profile_id in profiles
    ]
    return csv_response("experts.csv", [*member_columns(), _("Why matched")], rows)


def find_experts(request: HttpRequest):
    """Expert search with facets; every filter is a query parameter, so views can be shared."""
    get = request.GET
    params = _expert_search(request)
    result = search_experts(params)
    current = {k: v for k, v in get.items() if v and k != "page"}
    labels = _facet_labels()
    return TemplateResponse(
        request,
        "search/find_experts.html",
        {
            "params": params,
            "result": result,
            "experts": _with_profiles(result.experts, lambda e: e.profile_id),
            "facet_links": _facet_links(result.facets, current, labels),
            "active_filters": _active_filters(current, labels),
            "page_query": urlencode(current),
            "cefr_levels": CEFR_LEVELS,
            "my_shortlists": _my_shortlists(request),
        },
    )


def _my_shortlists(request: HttpRequest):
    """The manager's shortlists for the "Add to shortlist" forms (None: not a manager)."""
    if not is_manager_or_programme_admin(request.user):
        return None
    return list(own_shortlists(request.user))


def _facet_labels() -> dict[str, str]:
    """Display names in the user's language for stored values (建設局 → Bureau of Construction)."""
    labels = {str(v.name_ja): str(v) for v in [*Bureau.objects.all(), *JobCategory.objects.all()]}
    labels.update({"yes": _("With overseas experience"), "no": _("Without overseas experience")})
    return labels


def _facet_links(facets: dict, current: dict, labels: dict[str, str]) -> dict:
    """For each facet value: its label, count and the URL that adds it as a filter."""
    parameter = {"english_level": "min_level"}
    links = {}
    for name, values in facets.items():
        key = parameter.get(name, name)
        entries = []
        for value, count in values:
            query = {**current, key: value}
            if name == "english_level":
                query["language"] = "en"
                label = _("English %(level)s or above") % {"level": value}
            else:
                label = labels.get(value, value)
            entries.append(
                {
                    "value": value,
                    "label": label,
                    "count": count,
                    "selected": current.get(key) == value,
                    "url": "?" + urlencode(query),
                }
            )
        links[name] = entries
    return links


def _active_filters(current: dict, labels: dict[str, str]) -> list[dict]:
    """Filters in use, each with the URL that removes it."""
    filters = []
    for key, value in current.items():
        if key == "q":
            continue
        rest = {k: v for k, v in current.items() if k != key}
        label = labels.get(value, value)
        filters.append({"key": key, "value": label, "remove_url": "?" + urlencode(rest)})
    return filters


def match_project(request: HttpRequest):
    """Rank members for a project described in a form, with the reasons for each."""
    form = ProjectMatchForm(request.GET or None)
    response = None
    candidates = []
    if form.is_bound and form.is_valid():
        response = match_members_to_project(form.to_query(audience_of(request.user)))
        by_external_id = dict(
            ProfilePage.objects.filter(
                external_id__in=[r.external_id for r in response.results]
            ).values_list("external_id", "pk")
        )
        candidates = _with_profiles(response.results, lambda r: by_external_id.get(r.external_id))
    return TemplateResponse(
        request,
        "search/match_project.html",
        {
            "form": form,
            "response": response,
            "candidates": candidates,
            "my_shortlists": _my_shortlists(request),
        },
    )
