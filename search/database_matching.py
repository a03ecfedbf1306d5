"""Matching on the database: the embedded default, and the fallback when the engine is down.

Evidence rows (search.models.MemberEvidence) are loaded once per process into an inverted
index of concepts and plain words, refreshed incrementally when profiles change. Candidates
and counts come from that index; search.ranking scores them, as it does the engine's.
"""

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Max

from profiles.privacy import AUDIENCES

from .evidence import Evidence
from .matching import AnalysedQuery, MatchQuery
from .models import MemberEvidence
from .ranking import Candidate, CorpusStats, Matcher


@dataclass
class _Member:
    external_id: str
    evidence: Evidence
    url: str
    # Per audience (profiles.privacy): the evidence it may see.
    views: dict[str, Evidence] = field(default_factory=dict)

    def view(self, audience: str) -> Evidence:
        return self.views[audience]


class EvidenceIndex:
    """All live members' evidence in memory, kept in step with the MemberEvidence table."""

    def __init__(self):
        self.members: dict[int, _Member] = {}
        self.concept_postings: dict[str, set[int]] = defaultdict(set)
        self.term_postings: dict[str, set[int]] = defaultdict(set)
        self.stamp = None
        self.lock = threading.Lock()

    def refresh(self) -> None:
        latest = MemberEvidence.objects.aggregate(latest=Max("updated_at"))["latest"]
        total = MemberEvidence.objects.count()
        stamp = (latest, total)
        if stamp == self.stamp:
            return
        with self.lock:
            if stamp == self.stamp:
                return
            since = self.stamp[0] if self.stamp and self.stamp[0] else None
            rows = MemberEvidence.objects.select_related("profile")
            if since is not None:
                rows = rows.filter(updated_at__gte=since)
            for row in rows.only("profile_id", "external_id", "data", "profile__url_path"):
                self._put(row)
            if len(self.members) != total:
                live = set(MemberEvidence.objects.values_list("profile_id", flat=True))
                for stale in set(self.members) - live:
                    self._remove(stale)
            self.stamp = stamp

    def _put(self, row: MemberEvidence) -> None:
        self._remove(row.profile_id)
        evidence = Evidence.from_dict(row.data)
        member = _Member(row.external_id, evidence, row.profile.url or "")
        for audience in AUDIENCES:
            view = evidence.for_audience(audience)  # `evidence` itself when nothing is hidden
            view.concept_strength, view.term_strength  # noqa: B018 - computed once, here
            member.views[audience] = view
        self.members[row.profile_id] = member
        for concept in evidence.counted_concepts:
            self.concept_postings[concept].add(row.profile_id)
        for term in evidence.counted_terms:
            self.term_postings[term].add(row.profile_id)

    def _remove(self, profile_id: int) -> None:
        member = self.members.pop(profile_id, None)
        if member is None:
            return
        for concept in member.evidence.counted_concepts:
            self.concept_postings[concept].discard(profile_id)
        for term in member.evidence.counted_terms:
            self.term_postings[term].discard(profile_id)


_index = EvidenceIndex()


class DatabaseMatcher(Matcher):
    """Candidates from the evidence stored in the database, ranked by search.ranking."""

    name = "database"

    def __init__(self, index: EvidenceIndex | None = None):
        self.index = index or _index

    def candidates(
        self, analysed: AnalysedQuery, query: MatchQuery
    ) -> tuple[list[Candidate], CorpusStats]:
        self.index.refresh()
        stats = CorpusStats(
            total=len(self.index.members),
            concept_frequency={
                concept: len(set().union(*(self.index.concept_postings.get(c, ()) for c in family)))
                for concept, family in analysed.families.items()
            },
            term_frequency={
                term: len(self.index.term_postings.get(term, ())) for term in analysed.terms
            },
        )
        found: set[int] = set()
        for concept in analysed.positive:
            for evidence_concept in (concept, *analysed.expansions[concept]):
                found.update(self.index.concept_postings.get(evidence_concept, ()))
        for term in analysed.terms:
            if stats.term_idf(term):
                found.update(self.index.term_postings.get(term, ()))
        members = self.index.members
        candidates = [
            Candidate(profile_id, members[profile_id].url, members[profile_id].view(query.audience))
            for profile_id in found
        ]
        return candidates, stats


def reset_index() -> None:
    """Forget the in-memory index (tests, and after the evidence table is rebuilt)."""
    _index.__init__()
