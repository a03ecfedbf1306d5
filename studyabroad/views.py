"""The destination catalogue's filters, facets and sorting, and a destination's related members."""

import datetime
from functools import partial

from django.core.paginator import Paginator
from django.db.models import Count, F, Min, Q
from django.db.models.functions import ExtractYear
from django.http import HttpRequest
from django.utils.translation import gettext as _

from taggit.models import Tag

from django_countries import countries

from profiles.models import ProfilePage
from profiles.privacy import visibilities_seen_by
from profiles.vocabularies import CEFR_LEVELS, cefr_rank, language_name
from talenthub import clock
from talenthub.ids import parse_row_id

from .models import (
    DEGREE_CHOICES,
    ExchangeReportPage,
    StudyDestinationPage,
    TechnicalClassification,
)

DESTINATIONS_PER_PAGE = 12
SORTS = ("deadline", "name")


def with_filter(query, key: str, value) -> str:
    """The query string of the current filters with `key` set to `value` (facet links)."""
    changed = query.copy()
    changed[key] = value
    return "?" + changed.urlencode()


def language_requirement_met(profile: ProfilePage | None) -> Q | None:
    """Destinations whose language requirement the member's profile meets (any one of them).

    A programme usually accepts IELTS or TOEFL or a CEFR level; None when the member has no
    profile to compare with."""
    if profile is None:
        return None
    met = Q(ielts_min__isnull=True, toefl_min__isnull=True, cefr_min="")
    for language in profile.languages.all():
        if language.test_name == "IELTS" and language.score is not None:
            met |= Q(ielts_min__lte=language.score)
        if language.test_name == "TOEFL iBT" and language.score is not None:
            met |= Q(toefl_min__lte=language.score)
        reachable = [
            level for level in CEFR_LEVELS if cefr_rank(level) <= cefr_rank(language.level)
        ]
        met |= Q(teaching_language=language.language, cefr_min__in=reachable)
    return met


def _date_or_none(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _year_or_none(value: str | None) -> int | None:
    """A year a date can hold (1–9999), or None: a larger one would crash the year lookup."""
    year = parse_row_id(value)
    return year if year is not None and year <= datetime.MAXYEAR else None


def catalogue_context(request: HttpRequest, index_page) -> dict:
    """Destinations filtered by the query string, with facet counts and a page of results."""
    get = request.GET
    today = clock.today()
    destinations = StudyDestinationPage.objects.child_of(index_page).live()
    notices = []
    filters = {
        "country": get.get("country", "").upper(),
        "field": get.get("field", ""),
        "degree": get.get("degree", ""),
        "teaching_language": get.get("teaching_language", ""),
        "deadline_after": _date_or_none(get.get("deadline_after", "")),
        # A positive number the database can compare with; anything else is no limit.
        "max_duration": parse_row_id(get.get("max_duration")),
        "meets_my_scores": get.get("meets_my_scores") == "1",
    }
    if get.get("deadline_after") and filters["deadline_after"] is None:
        notices.append(_("The deadline date was not understood; use YYYY-MM-DD."))
    if filters["country"]:
        destinations = destinations.filter(country=filters["country"])
    if filters["field"]:
        destinations = destinations.filter(fields_of_study__slug=filters["field"])
    if filters["degree"]:
        destinations = destinations.filter(degree=filters["degree"])
    if filters["teaching_language"]:
        destinations = destinations.filter(teaching_language=filters["teaching_language"])
    if filters["deadline_after"]:
        destinations = destinations.filter(deadlines__date__gte=filters["deadline_after"])
    if filters["max_duration"]:
        destinations = destinations.filter(duration_months__lte=filters["max_duration"])
    if filters["meets_my_scores"]:
        profile = ProfilePage.objects.filter(user=request.user).first()
        met = language_requirement_met(profile)
        if met is None:
            notices.append(_("Add your language scores to your profile to use this filter."))
        else:
            destinations = destinations.filter(met)
    # Filters on deadlines join that table; annotate the next deadline on a fresh queryset so
    # the filter does not narrow which deadlines count.
    matching_ids = destinations.values("pk")
    destinations = StudyDestinationPage.objects.filter(pk__in=matching_ids).annotate(
        next_deadline=Min("deadlines__date", filter=Q(deadlines__date__gte=today))
    )
    sort = get.get("sort") if get.get("sort") in SORTS else "deadline"
    if sort == "deadline":
        ordered = destinations.order_by(F("next_deadline").asc(nulls_last=True), "university_en")
    else:
        ordered = destinations.order_by("university_en", "pk")
    query = get.copy()
    query.pop("page", None)
    page = Paginator(
        ordered.prefetch_related("fields_of_study", "deadlines"), DESTINATIONS_PER_PAGE
    ).get_page(get.get("page"))
    return {
        "destinations": page,
        "filters": filters,
        "sort": sort,
        "facets": _facets(destinations, query),
        "filter_query": query.urlencode(),
        "notices": notices,
        "today": today,
        "degree_choices": DEGREE_CHOICES,
    }


def _facets(destinations, query) -> dict:
    """Counts of the current results by country, degree, field and teaching language."""
    ids = list(destinations.values_list("pk", flat=True))
    base = StudyDestinationPage.objects.filter(pk__in=ids)

    link = partial(with_filter, query)

    degree_labels = dict(DEGREE_CHOICES)
    return {
        "country": [
            {
                "label": countries.name(row["country"]),
                "count": row["n"],
                "url": link("country", row["country"]),
                "value": row["country"],
            }
            for row in base.values("country").annotate(n=Count("pk")).order_by("-n", "country")
        ],
        "degree": [
            {
                "label": degree_labels.get(row["degree"], row["degree"]),
                "count": row["n"],
                "url": link("degree", row["degree"]),
                "value": row["degree"],
            }
            for row in base.values("degree").annotate(n=Count("pk")).order_by("-n")
        ],
        "field": [
            {"label": tag.name, "count": tag.n, "url": link("field", tag.slug), "value": tag.slug}
            for tag in Tag.objects.filter(studyabroad_destinationtag_items__content_object__in=ids)
            .annotate(n=Count("studyabroad_destinationtag_items"))
            .order_by("-n", "name")[:15]
        ],
        "teaching_language": [
            {
                "label": language_name(row["teaching_language"]),
                "count": row["n"],
                "url": link("teaching_language", row["teaching_language"]),
                "value": row["teaching_language"],
            }
            for row in base.values("teaching_language").annotate(n=Count("pk")).order_by("-n")
        ],
    }


def members_with_experience(
    destination: StudyDestinationPage, audience: str, limit: int = 12
) -> list[dict]:
    """Members whose overseas experience names this university, then others in the country."""
    names = [n for n in (destination.university_en, destination.university_ja) if n]
    same_place = Q()
    for name in names:
        same_place |= Q(overseas_experiences__organisation__icontains=name)
    live = ProfilePage.objects.live().select_related("photo", "bureau")
    # Only members who share their overseas experience with this viewer are named.
    live = live.filter(visibility_experience__in=visibilities_seen_by(audience))
    here = list(live.filter(same_place).distinct()[:limit]) if names else []
    country = list(
        live.filter(overseas_experiences__country=destination.country)
        .exclude(pk__in=[p.pk for p in here])
        .distinct()[: max(limit - len(here), 0)]
    )
    return [{"profile": p, "same_place": True} for p in here] + [
        {"profile": p, "same_place": False} for p in country
    ]


REPORTS_PER_PAGE = 20


def report_listing_context(request: HttpRequest, index_page) -> dict:
    """Exchange reports filtered by classification, country and year, with facet counts."""
    get = request.GET
    reports = ExchangeReportPage.objects.child_of(index_page).live()
    filters = {
        "classification": parse_row_id(get.get("classification")),
        "country": get.get("country", "").upper(),
        "year": _year_or_none(get.get("year")),
    }
    if filters["classification"]:
        reports = reports.filter(classification_id=filters["classification"])
    if filters["country"]:
        reports = reports.filter(country=filters["country"])
    if filters["year"]:
        reports = reports.filter(start_date__year=filters["year"])
    query = get.copy()
    query.pop("page", None)

    link = partial(with_filter, query)

    def selected(key: str, value) -> bool:
        return str(filters[key] or "") == str(value)

    classifications = {c.pk: str(c) for c in TechnicalClassification.objects.all()}
    facets = {
        "classification": [
            {
                "label": classifications.get(row["classification"], "—"),
                "count": row["n"],
                "url": link("classification", row["classification"]),
                "selected": selected("classification", row["classification"]),
            }
            for row in reports.values("classification").annotate(n=Count("pk")).order_by("-n")
            if row["classification"]
        ],
        "country": [
            {
                "label": countries.name(row["country"]),
                "count": row["n"],
                "url": link("country", row["country"]),
                "selected": selected("country", row["country"]),
            }
            for row in reports.values("country").annotate(n=Count("pk")).order_by("-n", "country")
        ],
        "year": [
            {
                "label": str(row["year"]),
                "count": row["n"],
                "url": link("year", row["year"]),
                "selected": selected("year", row["year"]),
            }
            for row in reports.annotate(year=ExtractYear("start_date"))
            .values("year")
            .annotate(n=Count("pk"))
            .order_by("-year")
        ],
    }
    page = Paginator(
        reports.select_related("classification").prefetch_related("participants__profile", "tags"),
        REPORTS_PER_PAGE,
    ).get_page(get.get("page"))
    return {
        "reports": page,
        "facets": facets,
        "filters": filters,
        "filter_query": query.urlencode(),
        "active_filters": any(filters.values()),
    }
