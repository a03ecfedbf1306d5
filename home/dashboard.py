"""Figures for the admin dashboard: who is on Talent Hub, how current their profiles are,
which expertise is common or thin, and where dispatch interest lies."""

import datetime
from collections import Counter

from django.db.models import Count

from profiles.freshness import with_last_confirmed
from profiles.models import ProfilePage, ProfileTag
from search.glossary import get_glossary
from search.models import MemberEvidence
from studyabroad.models import ApplicationField, DispatchApplication
from talenthub import clock


def profiles_by(field: str) -> list[tuple[str, int]]:
    """Live profiles per bureau or job category (Japanese names), largest first."""
    rows = (
        ProfilePage.objects.live()
        .values(f"{field}__name_ja")
        .annotate(n=Count("pk"))
        .order_by("-n", f"{field}__name_ja")
    )
    return [(row[f"{field}__name_ja"] or "—", row["n"]) for row in rows]


def freshness(today: datetime.date | None = None) -> list[tuple[str, int]]:
    """Profiles confirmed within 6 months, within 12 months, and longer ago."""
    today = today or clock.today()
    six, twelve = today - datetime.timedelta(days=182), today - datetime.timedelta(days=365)
    buckets = Counter()
    for last in with_last_confirmed(ProfilePage.objects.live()).values_list(
        "last_confirmed", flat=True
    ):
        if last is None or last < twelve:
            buckets["over12"] += 1
        elif last < six:
            buckets["6to12"] += 1
        else:
            buckets["within6"] += 1
    return [(key, buckets[key]) for key in ("within6", "6to12", "over12")]


def top_tags(limit: int = 20) -> list[tuple[str, int]]:
    """The expertise tags most profiles carry."""
    rows = (
        ProfileTag.objects.filter(content_object__live=True)
        .values("tag__name")
        .annotate(n=Count("content_object", distinct=True))
        .order_by("-n", "tag__name")[:limit]
    )
    return [(row["tag__name"], row["n"]) for row in rows]


def thin_coverage(limit: int = 15, at_most: int = 2) -> list[tuple[str, int]]:
    """Glossary areas at most `at_most` members have practised (0 = nobody), fewest first."""
    members_per_concept: Counter = Counter()
    for row in MemberEvidence.objects.only("data"):
        members_per_concept.update(row.evidence.counted_concepts)
    glossary = get_glossary()
    rows = [
        (concept.label, members_per_concept[concept.id])
        for concept in glossary.concepts.values()
        if members_per_concept[concept.id] <= at_most
    ]
    return sorted(rows, key=lambda row: (row[1], row[0]))[:limit]


def dispatch_interest_by_field(limit: int = 15) -> list[tuple[str, int]]:
    """Fields applicants want to study (submitted applications)."""
    rows = (
        ApplicationField.objects.filter(content_object__status=DispatchApplication.Status.SUBMITTED)
        .values("tag__name")
        .annotate(n=Count("content_object", distinct=True))
        .order_by("-n", "tag__name")[:limit]
    )
    return [(row["tag__name"], row["n"]) for row in rows]


def dispatch_interest_by_destination(limit: int = 15) -> list[tuple[str, int]]:
    """Destinations applicants prefer (submitted applications)."""
    through = DispatchApplication.preferred_destinations.through
    rows = (
        through.objects.filter(dispatchapplication__status=DispatchApplication.Status.SUBMITTED)
        .values("studydestinationpage__university_en", "studydestinationpage__programme_name")
        .annotate(n=Count("dispatchapplication", distinct=True))
        .order_by("-n", "studydestinationpage__university_en")[:limit]
    )
    return [
        (
            f"{row['studydestinationpage__university_en']} — "
            f"{row['studydestinationpage__programme_name']}",
            row["n"],
        )
        for row in rows
    ]
