"""Keep the matching evidence (and the engine's member index) in step with published profiles."""

import threading
from collections.abc import Iterable
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

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


# Profiles loaded, built and written together: bounded memory, few statements.
SYNC_CHUNK = 500


def sync_profiles(page_ids: Iterable[int]) -> None:
    """Rebuild the evidence of these profiles (live ones kept, others dropped), then tell the
    engine. The database is written first, so an engine outage loses nothing."""
    page_ids = sorted(set(page_ids))
    if not page_ids:
        return
    for start in range(0, len(page_ids), SYNC_CHUNK):
        chunk = page_ids[start : start + SYNC_CHUNK]
        live_pages = list(profiles_with_evidence_relations().filter(pk__in=chunk, live=True))
        live_ids = {page.pk for page in live_pages}
        with transaction.atomic():
            MemberEvidence.objects.filter(profile_id__in=set(chunk) - live_ids).delete()
            store_evidence(live_pages)
    push_to_engine(page_ids)


def store_evidence(pages: list[ProfilePage]) -> None:
    """Write these profiles' evidence: new rows in one insert, existing ones updated with
    their version raised (the engine and the evidence caches key on it)."""
    built = {page.pk: (page, build_evidence(page)) for page in pages}
    now = timezone.now()
    with transaction.atomic():
        # Locked, so two workers syncing one profile cannot both write the same version.
        existing = {
            row.profile_id: row
            for row in MemberEvidence.objects.select_for_update()
            .filter(profile_id__in=list(built))
            .only("profile_id", "version")
        }
        new = []
        for profile_id, (page, data) in built.items():
            row = existing.get(profile_id)
            if row is None:
                new.append(
                    MemberEvidence(profile_id=profile_id, external_id=page.external_id, data=data)
                )
                continue
            # One UPDATE each: faster than bulk_update's CASE over large JSON values. update()
            # skips auto_now; the database matcher reads changes by this time.
            MemberEvidence.objects.filter(pk=profile_id).update(
                external_id=page.external_id, data=data, version=row.version + 1, updated_at=now
            )
        MemberEvidence.objects.bulk_create(new, batch_size=SYNC_CHUNK)


def push_to_engine(page_ids: list[int]) -> None:
    """Queue the engine update of these profiles when an engine is configured. The request
    only records it; the worker sends it, and the reconciliation repairs what it misses."""
    from django.conf import settings

    from .tasks import update_member_index

    if settings.SEARCH_URL:
        update_member_index.enqueue(sorted(page_ids))
