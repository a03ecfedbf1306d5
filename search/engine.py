"""The one place that talks to OpenSearch (or Elasticsearch) for member matching.

Requests go through opensearch-py with short timeouts; bodies come from search.documents and
search.queries. The index is reached through an alias, so a rebuild fills a new index and
swaps the alias while searches keep answering.
"""

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db.models import F

from opensearchpy import OpenSearch, helpers

from .documents import document_from_evidence, index_body
from .evidence import hidden_fields
from .explanations import evidence_reasons, field_reason, language_reason, with_age
from .matching import (
    MatchQuery,
    MatchResult,
    analyse_query,
    meets_language,
    order_by_language_tier,
)
from .models import MemberEvidence
from .queries import build_highlight_search, build_match_search

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


class OpenSearchMemberIndex:
    """The member index behind an alias, and matching against it."""

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

    def match(self, query: MatchQuery) -> list[MatchResult]:
        analysed = analyse_query(query)
        search = build_match_search(analysed, query)
        response = self._call(
            lambda: self.client.search(
                index=self.alias,
                body=search.to_dict(),
                params={"include_named_queries_score": "true"},
            )
        )
        hits = self._checked_against_database(response["hits"]["hits"])
        results = order_by_language_tier([self._result(hit, query) for hit in hits])
        results = results[: query.limit]
        self._add_highlight_reasons(analysed, query, results, hits)
        stale = {hit["_source"]["external_id"] for hit in hits if "current" in hit}
        # An outdated document none of whose matches the current evidence holds is no match.
        return [r for r in results if r.external_id not in stale or r.reasons != r.language_reasons]

    @staticmethod
    def _checked_against_database(hits: list[dict]) -> list[dict]:
        """Hits checked against the database, which is ahead of the engine while an update
        waits in the queue or the engine was down: members gone since are dropped, and a
        document older than its evidence carries that evidence in hit["current"], so only
        what the member shares today is matched or quoted (the reconciliation rewrites the
        document soon)."""
        versions = dict(
            MemberEvidence.objects.filter(profile_id__in=[hit["_id"] for hit in hits]).values_list(
                "profile_id", "version"
            )
        )
        checked = [hit for hit in hits if int(hit["_id"]) in versions]
        stale = [
            hit for hit in checked if hit["_source"].get("version") != versions[int(hit["_id"])]
        ]
        if stale:
            current = dict(
                MemberEvidence.objects.filter(
                    profile_id__in=[hit["_id"] for hit in stale]
                ).values_list("profile_id", "data")
            )
            for hit in stale:
                hit["current"] = current.get(int(hit["_id"]), hit["_source"])
        return checked

    def _add_highlight_reasons(
        self, analysed, query: MatchQuery, results: list[MatchResult], hits: list[dict]
    ):
        """Members matched by plain words only get reasons from the engine's highlights."""
        ids_by_external = {hit["_source"]["external_id"]: hit["_id"] for hit in hits}
        as_of = {hit["_id"]: hit["_source"].get("as_of") for hit in hits}
        hidden = {hit["_id"]: hidden_fields(hit["_source"], query.audience) for hit in hits}
        # Highlights quote the document's text: never an outdated one's.
        stale = {hit["_source"]["external_id"] for hit in hits if "current" in hit}
        unexplained = [
            r
            for r in results
            if (not r.reasons or r.reasons == r.language_reasons) and r.external_id not in stale
        ]
        if not unexplained:
            return
        search = build_highlight_search(
            analysed, [ids_by_external[r.external_id] for r in unexplained], query.audience
        )
        response = self._call(lambda: self.client.search(index=self.alias, body=search.to_dict()))
        highlights = {hit["_id"]: hit.get("highlight", {}) for hit in response["hits"]["hits"]}
        for result in unexplained:
            document_id = ids_by_external[result.external_id]
            visible = {
                name: fragments
                for name, fragments in highlights.get(document_id, {}).items()
                if name.rsplit("_", 1)[0] not in hidden[document_id]
            }
            words = [with_age(reason, as_of[document_id]) for reason in _highlight_reasons(visible)]
            result.reasons = words + result.reasons

    @staticmethod
    def _result(hit: dict, query: MatchQuery) -> MatchResult:
        source = hit["_source"]
        # The evidence to explain with: the document's, or the database's when it is newer.
        evidence = hit.get("current", source)
        hidden = hidden_fields(evidence, query.audience)
        languages = {} if "languages" in hidden else evidence.get("languages", {})
        matched = []
        named = hit.get("matched_queries") or {}
        if isinstance(named, list):  # engines without named-query scores
            named = dict.fromkeys(named, 1.0)
        for name, score in named.items():
            if "|" in name:
                field_name, concept = name.split("|", 1)
                if field_name in hidden:
                    continue
                if "current" in hit and concept not in evidence.get("concepts", {}).get(
                    field_name, {}
                ):
                    continue  # no longer in what the member shares
                matched.append((field_name, concept, score))
        reasons = evidence_reasons(
            matched,
            evidence.get("surfaces", {}),
            evidence.get("as_of"),
            evidence.get("report_labels"),
        )
        language = language_reason(languages, query.language)
        language_reasons = [language] if language else []
        return MatchResult(
            external_id=source["external_id"],
            name=source.get("name_ja") or source.get("name_en") or source["external_id"],
            url=source.get("url", ""),
            score=round(hit["_score"], 4),
            reasons=reasons + language_reasons,
            meets_language=meets_language(languages, query.language),
            language_reasons=language_reasons,
        )

    def _indexes_behind_alias(self) -> list[str]:
        if not self.client.indices.exists_alias(name=self.alias):
            return []
        return list(self.client.indices.get_alias(name=self.alias))

    def delete_all(self) -> None:
        """Remove the alias and its indexes (tests)."""
        for index in self._indexes_behind_alias():
            self.client.indices.delete(index=index, request_timeout=ADMIN_TIMEOUT)


def _highlight_reasons(highlight: dict) -> list[str]:
    """Reasons from the engine's highlights: the words of the profile that matched."""
    reasons = []
    for fragments in highlight.values():
        words = []
        for fragment in fragments:
            words += [part.split("\u0002")[0] for part in fragment.split("\u0001")[1:]]
        if words:
            reasons.append(field_reason("text", ", ".join(dict.fromkeys(words))))
    return reasons[:2]
