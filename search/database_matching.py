"""Matching on the database: the embedded default, and the fallback when the engine is down.

Evidence rows (search.models.MemberEvidence) are loaded once per process into an inverted
index of concepts and plain words, refreshed incrementally when profiles change. Candidates
and counts come from that index; search.ranking scores them, as it does the engine's.
"""

import threading
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Max

from profiles.privacy import AUDIENCES

from .evidence import Evidence
from .matching import AnalysedQuery, MatchQuery
from .models import MemberEvidence
from .ranking import Candidate, CorpusStats, Matcher, QueryWeights, score_bounds


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
        # Concept (or plain word) → {profile id: strength in the member's full evidence}.
        self.concept_postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.term_postings: dict[str, dict[int, float]] = defaultdict(dict)
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
            view.concept_strength, view.field_strengths, view.term_strength  # noqa: B018 - once, here
            member.views[audience] = view
        self.members[row.profile_id] = member
        for concept, strength in evidence.concept_strength.items():
            self.concept_postings[concept][row.profile_id] = strength
        for term, strength in evidence.term_strength.items():
            self.term_postings[term][row.profile_id] = strength

    def _remove(self, profile_id: int) -> None:
        member = self.members.pop(profile_id, None)
        if member is None:
            return
        for concept in member.evidence.concept_strength:
            self.concept_postings[concept].pop(profile_id, None)
        for term in member.evidence.term_strength:
            self.term_postings[term].pop(profile_id, None)


_index = EvidenceIndex()


class DatabaseMatcher(Matcher):
    """Candidates from the evidence stored in the database, ranked by search.ranking."""

    name = "database"

    def __init__(self, index: EvidenceIndex | None = None):
        self.index = index or _index

    def candidates(
        self, analysed: AnalysedQuery, query: MatchQuery
    ) -> tuple[Iterator[Candidate], CorpusStats]:
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
        # Best bound first, made lazily: rank() usually stops after a few hundred.
        bounds = score_bounds(
            QueryWeights.of(analysed, stats), self.index.concept_postings, self.index.term_postings
        )
        members = self.index.members
        candidates = (
            Candidate(
                profile_id, members[profile_id].url, members[profile_id].view(query.audience), bound
            )
            for profile_id, bound in sorted(bounds.items(), key=lambda item: -item[1])
        )
        return candidates, stats


def reset_index() -> None:
    """Forget the in-memory index (tests, and after the evidence table is rebuilt)."""
    _index.__init__()
