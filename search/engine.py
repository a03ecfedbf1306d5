"""The one place that talks to OpenSearch (or Elasticsearch) for member matching.

Requests go through opensearch-py with short timeouts; bodies come from search.documents and
search.queries. The index is reached through an alias, so a rebuild fills a new index and
swaps the alias while searches keep answering.
"""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator

from django.conf import settings
from django.db.models import F

from opensearchpy import OpenSearch, helpers

from .documents import document_from_evidence, index_body
from .evidence import Evidence
from .matching import AnalysedQuery, MatchQuery
from .models import MemberEvidence
from .queries import (
    CANDIDATE_PAGE,
    COUNTS,
    FEATURE_PRECISION,
    build_candidate_search,
    build_count_search,
)
from .ranking import SCORE_MARGIN, Candidate, CorpusStats, Matcher, QueryWeights

logger = logging.getLogger(__name__)

# After a failure the engine is left alone for a while, so each request does not wait for
# another timeout before falling back to the database.
RETRY_AFTER_SECONDS = 30
# Searches use SEARCH_TIMEOUT_SECONDS (1 s); the worker's member-index update waits at most
# SYNC_TIMEOUT for the engine; rebuilds and index creation may take longer.
SYNC_TIMEOUT = 3
ADMIN_TIMEOUT = 60
_engine_down_until = {"time": 0.0}


class EngineUnavailable(Exception):
    """The engine failed recently and is being given time to recover."""


def call_with_back_off(operation: Callable, failures: tuple = (Exception,)):
    """Run an engine request unless the engine failed recently; one of `failures` leaves it
    alone for RETRY_AFTER_SECONDS, so each request does not wait for another timeout.
    Member matching and site search share this back-off."""
    if time.monotonic() < _engine_down_until["time"]:
        raise EngineUnavailable("OpenSearch failed recently; not retrying yet")
    try:
        return operation()
    except failures:
        _engine_down_until["time"] = time.monotonic() + RETRY_AFTER_SECONDS
        raise


def describe_error(error: Exception) -> str:
    """The error for the report, in one line: a failed bulk write names its first failure,
    not every document it carried (reports, logs and task results keep this)."""
    from opensearchpy.helpers import BulkIndexError

    if isinstance(error, BulkIndexError):
        failures = error.errors
        detail = next(iter(failures[0].values()), {}).get("error", "") if failures else ""
        if isinstance(detail, dict):
            detail = f"{detail.get('type', '')}: {detail.get('reason', '')}"
        return f"BulkIndexError: {len(failures)} document(s) not written ({detail})"
    return f"{type(error).__name__}: {error}"


def engine_answers(client) -> bool:
    """Ask the engine now, whatever the back-off says; clear the back-off if it answers.
    The reconciliation starts with this, so it notices a recovery at once."""
    try:
        answering = bool(client.ping())
    except Exception:
        answering = False
    if answering:
        _engine_down_until["time"] = 0.0
    return answering


# Decoded evidence by (profile id, evidence version, time written): decoding the stored JSON
# is most of a match's time, and these name one stored evidence exactly, so an entry is never
# stale (even after a database is restored or rebuilt).
EVIDENCE_CACHE_SIZE = 4000
_evidence_cache: OrderedDict[tuple, Evidence] = OrderedDict()
_evidence_cache_lock = threading.Lock()


def current_evidence(profile_ids: list[int]) -> dict[int, Evidence]:
    """Today's evidence of these members (those that still have any), read through the
    cache: only versions not seen yet are loaded and decoded."""
    versions = {
        profile_id: (profile_id, version, updated_at)
        for profile_id, version, updated_at in MemberEvidence.objects.filter(
            profile_id__in=profile_ids
        ).values_list("profile_id", "version", "updated_at")
    }
    found: dict[int, Evidence] = {}
    with _evidence_cache_lock:
        for profile_id, key in versions.items():
            evidence = _evidence_cache.get(key)
            if evidence is not None:
                _evidence_cache.move_to_end(key)
                found[profile_id] = evidence
    missing = [profile_id for profile_id in versions if profile_id not in found]
    if missing:
        rows = MemberEvidence.objects.filter(profile_id__in=missing).values_list(
            "profile_id", "version", "updated_at", "data"
        )
        with _evidence_cache_lock:
            for profile_id, version, updated_at, data in rows:
                key = (profile_id, version, updated_at)
                found[profile_id] = _evidence_cache[key] = Evidence.from_dict(data)
            while len(_evidence_cache) > EVIDENCE_CACHE_SIZE:
                _evidence_cache.popitem(last=False)
    return found


def forget_evidence() -> None:
    """Empty the decoded-evidence cache (tests)."""
    with _evidence_cache_lock:
        _evidence_cache.clear()


class OpenSearchMemberIndex(Matcher):
    """The member index behind an alias, and matching against it."""

    name = "opensearch"

    def __init__(self, client: OpenSearch, prefix: str):
        self.client = client
        self.alias = f"{prefix}_members"

    @classmethod
    def from_settings(cls) -> "OpenSearchMemberIndex":
        client = OpenSearch(
            hosts=[settings.SEARCH_URL],
            timeout=settings.SEARCH_TIMEOUT_SECONDS,
            max_retries=0,
            retry_on_timeout=False,
        )
        return cls(client, settings.SEARCH_INDEX_PREFIX)

    # --- availability -------------------------------------------------------------------

    def _call(self, operation: Callable):
        return call_with_back_off(operation)

    @staticmethod
    def reset_availability() -> None:
        _engine_down_until["time"] = 0.0

    def is_answering(self) -> bool:
        return engine_answers(self.client)

    # --- writing ---------------------------------------------------------------------------

    def ensure_index(self) -> None:
        """Create the first concrete index and alias when there is none yet."""
        if not self._call(lambda: self.client.indices.exists_alias(name=self.alias)):
            name = self._new_index_name()
            self.client.indices.create(index=name, body=index_body(), request_timeout=ADMIN_TIMEOUT)
            self.client.indices.put_alias(
                index=name, name=self.alias, request_timeout=ADMIN_TIMEOUT
            )

    def _new_index_name(self) -> str:
        return f"{self.alias}_{time.strftime('%Y%m%d%H%M%S')}_{time.monotonic_ns() % 10_000}"

    def sync(self, page_ids: list[int], only_behind: bool = False) -> int:
        """Index the given profiles' evidence (and drop the ones without any), plus any rows a
        previous failure left behind; return how many documents were sent.

        With only_behind, given profiles whose document is already at their evidence version
        are left out: after a burst of saves the first queued update sends every row behind,
        and the ones queued after it find nothing left to do."""
        stale = MemberEvidence.objects.filter(engine_version__lt=F("version")).values_list(
            "profile_id", flat=True
        )[:500]
        wanted = set(page_ids) | set(stale)
        rows = {
            row.profile_id: row
            for row in MemberEvidence.objects.filter(profile_id__in=wanted).select_related(
                "profile"
            )
        }
        if only_behind:
            wanted -= {pk for pk, row in rows.items() if row.engine_version == row.version}
        if not wanted:
            return 0
        self.ensure_index()
        actions = []
        for page_id in wanted:
            row = rows.get(page_id)
            if row is None:
                actions.append({"_op_type": "delete", "_index": self.alias, "_id": str(page_id)})
            else:
                actions.append(self._index_action(self.alias, row))
        _sent, failures = self._call(
            lambda: helpers.bulk(
                self.client,
                actions,
                raise_on_error=False,
                refresh="wait_for",
                request_timeout=SYNC_TIMEOUT,
            )
        )
        # A document the engine refused (a write block, a mapping error) stays behind its
        # evidence, for the next update or the reconciliation; deleting one it never had is fine.
        failures = [f for f in failures if f.get("delete", {}).get("status") != 404]
        refused = {int(item["_id"]) for failure in failures for item in failure.values()}
        for page_id in (wanted & rows.keys()) - refused:
            row = rows[page_id]
            MemberEvidence.objects.filter(pk=row.pk, version=row.version).update(
                engine_version=row.version
            )
        if failures:
            raise helpers.BulkIndexError(f"{len(failures)} document(s) failed to index.", failures)
        return len(wanted)

    @staticmethod
    def _index_action(index: str, row: MemberEvidence) -> dict:
        return {
            "_op_type": "index",
            "_index": index,
            "_id": str(row.profile_id),
            "_source": document_from_evidence(
                row.profile_id, row.profile.url or "", row.data, row.version
            ),
        }

    def document_versions(self) -> dict[int, int | None]:
        """The evidence version of every document in the index, by profile id (the
        reconciliation compares them with the database)."""
        if not self.client.indices.exists_alias(name=self.alias):
            return {}
        hits = helpers.scan(
            self.client,
            index=self.alias,
            query={"query": {"match_all": {}}, "_source": ["version"]},
            size=2000,
            request_timeout=ADMIN_TIMEOUT,
        )
        return {int(hit["_id"]): hit["_source"].get("version") for hit in hits}

    def rebuild(self, progress: Callable[[int], None] | None = None, chunk_size: int = 500) -> str:
        """Fill a new index from every evidence row, then point the alias at it."""
        # Asked for explicitly: try the engine now, whatever back-off earlier requests set.
        self.reset_availability()
        name = self._new_index_name()
        self._call(
            lambda: self.client.indices.create(
                index=name, body=index_body(), request_timeout=ADMIN_TIMEOUT
            )
        )
        try:
            self._fill(name, progress, chunk_size)
        except Exception:
            # A half-built index must not linger; the alias still points at the old one.
            self.client.indices.delete(index=name, ignore_unavailable=True)
            raise
        self._point_alias_at(name)
        MemberEvidence.objects.update(engine_version=F("version"))
        return name

    def _fill(self, name: str, progress, chunk_size: int) -> None:
        batch: list[MemberEvidence] = []
        rows = MemberEvidence.objects.select_related("profile").order_by("pk")
        for row in rows.iterator(chunk_size=chunk_size):
            batch.append(row)
            if len(batch) == chunk_size:
                self._load(name, batch, progress)
                batch = []
        self._load(name, batch, progress)
        self.client.indices.refresh(index=name, request_timeout=ADMIN_TIMEOUT)

    def _point_alias_at(self, name: str) -> None:
        """Swap the alias in one atomic update, then drop the indexes it left."""
        old = [index for index in self._indexes_behind_alias() if index != name]
        actions = [{"add": {"index": name, "alias": self.alias}}]
        actions += [{"remove": {"index": index, "alias": self.alias}} for index in old]
        self.client.indices.update_aliases(body={"actions": actions}, request_timeout=ADMIN_TIMEOUT)
        for index in old:
            self.client.indices.delete(index=index, request_timeout=ADMIN_TIMEOUT)

    def _load(self, index: str, rows: list[MemberEvidence], progress) -> None:
        if not rows:
            return
        helpers.bulk(
            self.client,
            [self._index_action(index, row) for row in rows],
            request_timeout=ADMIN_TIMEOUT,
        )
        if progress:
            progress(len(rows))

    # --- matching --------------------------------------------------------------------------

    def candidates(
        self, analysed: AnalysedQuery, query: MatchQuery
    ) -> tuple[Iterator[Candidate], CorpusStats]:
        """The engine's counts, and its candidates best bound first, a page at a time."""
        if not analysed.positive and not analysed.terms:
            return iter(()), CorpusStats(total=0)
        counting = build_count_search(analysed).to_dict()
        response = self._call(lambda: self.client.search(index=self.alias, body=counting))
        counts = response["aggregations"][COUNTS]
        frequency = {key: bucket["doc_count"] for key, bucket in counts["keys"]["buckets"].items()}
        stats = CorpusStats(
            total=counts["doc_count"],
            concept_frequency={k[2:]: v for k, v in frequency.items() if k.startswith("c|")},
            term_frequency={k[2:]: v for k, v in frequency.items() if k.startswith("t|")},
        )
        return self._candidate_pages(QueryWeights.of(analysed, stats), query), stats

    def _candidate_pages(self, weights: QueryWeights, query: MatchQuery) -> Iterator[Candidate]:
        """Read lazily: rank() stops pulling once the rest cannot enter the results. The
        evidence comes from the database, which is ahead of the engine while an update waits
        in the queue or the engine was down: members gone since drop out, and an outdated
        document is scored from what the member shares today (the reconciliation rewrites it
        soon; until then its bound is the old one)."""
        start = 0
        while True:
            search = build_candidate_search(weights, query, start).to_dict()
            response = self._call(
                lambda search=search: self.client.search(index=self.alias, body=search)
            )
            hits = response["hits"]["hits"]
            evidence = current_evidence([int(hit["_id"]) for hit in hits])
            for hit in hits:
                profile_id = int(hit["_id"])
                if profile_id in evidence:
                    bound = hit["_score"] * (1 + FEATURE_PRECISION) + SCORE_MARGIN
                    yield Candidate(
                        profile_id,
                        hit["_source"].get("url", ""),
                        evidence[profile_id].for_audience(query.audience),
                        bound,
                    )
            if len(hits) < CANDIDATE_PAGE:
                return
            start += CANDIDATE_PAGE

    def _indexes_behind_alias(self) -> list[str]:
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return list(self.client.indices.get_alias(name=self.alias))

    def delete_all(self) -> None:
        """Remove the alias and its indexes (tests)."""
        for index in self._indexes_behind_alias():
            self.client.indices.delete(index=index, request_timeout=ADMIN_TIMEOUT)
