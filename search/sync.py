"""Keep the matching evidence (and the engine's member index) in step with published profiles."""

import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction
from django.db.models import F, Prefetch

from profiles.models import ProfilePage

from .evidence import build_evidence
from .models import MemberEvidence

_state = threading.local()


def sync_deferred() -> bool:
    return getattr(_state, "deferred", False)


@contextmanager
def deferred_sync():
    """Skip per-page syncing (bulk imports call sync_profiles once at the end instead)."""
    previous = sync_deferred()
    _state.deferred = True
    try:
        yield
    finally:
        _state.deferred = previous


def profiles_with_evidence_relations():
    from studyabroad.models import ReportParticipant

    participations = ReportParticipant.objects.select_related(
        "page__classification"
    ).prefetch_related("page__tags")
    return ProfilePage.objects.select_related("bureau", "job_category").prefetch_related(
        "tags",
        "languages",
        "overseas_experiences",
        "exchange_records",
        Prefetch("report_participations", queryset=participations),
    )


def sync_profiles(page_ids: Iterable[int]) -> None:
    """Rebuild the evidence of these profiles (live ones kept, others dropped), then tell the
    engine. The database is written first, so an engine outage loses nothing."""
    page_ids = list(page_ids)
    if not page_ids:
        return
    live_pages = list(profiles_with_evidence_relations().filter(pk__in=page_ids, live=True))
    live_ids = {page.pk for page in live_pages}
    with transaction.atomic():
        MemberEvidence.objects.filter(profile_id__in=set(page_ids) - live_ids).delete()
        for page in live_pages:
            store_evidence(page)
    push_to_engine(page_ids)


def store_evidence(page: ProfilePage) -> MemberEvidence:
    data = build_evidence(page)
    evidence, created = MemberEvidence.objects.get_or_create(
        profile=page, defaults={"external_id": page.external_id, "data": data}
    )
    if not created:
        MemberEvidence.objects.filter(pk=evidence.pk).update(
            external_id=page.external_id, data=data, version=F("version") + 1
        )
        evidence.refresh_from_db()
        # update() skips auto_now; save the timestamp so the database matcher sees the change.
        evidence.save(update_fields=["updated_at"])
    return evidence


def push_to_engine(page_ids: list[int]) -> None:
    """Queue the engine update of these profiles when an engine is configured. The request
    only records it; the worker sends it, and the reconciliation repairs what it misses."""
    from django.conf import settings

    from .tasks import update_member_index

    if settings.SEARCH_URL:
        update_member_index.enqueue(sorted(page_ids))
