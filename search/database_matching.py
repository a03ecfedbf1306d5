"""Matching on the database: the embedded default, and the fallback when the engine is down.

Evidence rows (search.models.MemberEvidence) are loaded once per process into an inverted
index of concepts and words and refreshed incrementally when profiles change. Scoring is the
same BM25-style formula the OpenSearch queries express: per concept, an IDF times the
saturated, field-weighted number of mentions.
"""

import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Max

from profiles.privacy import AUDIENCES
from talenthub import clock

from .evidence import EVIDENCE_FIELDS, FIELD_WEIGHTS, for_audience
from .explanations import evidence_reasons, field_reason, language_reason, with_age
from .glossary import english_tokens, normalise
from .matching import (
    MatchQuery,
    MatchResult,
    analyse_query,
    freshness_factor,
    idf,
    meets_language,
    order_by_language_tier,
    saturate,
)
from .models import MemberEvidence

# Words outside the glossary count too, for much less (a project may name a tool or method
# the glossary does not know).
TEXT_WEIGHT = 0.25
_STOPWORDS = frozenset(
    (
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "is",
        "it",
        "of",
        "on",
        "or",
        "our",
        "that",
        "the",
        "this",
        "to",
        "we",
        "will",
        "with",
        "who",
        "can",
        "staff",
        "project",
        "team",
        "plan",
        "new",
        "work",
        "worked",
        "working",
        "experience",
        "practical",
        "preferred",
        "required",
        "selected",
        "also",
        "need",
        "someone",
        "question",
        "technical",
    )
)
_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]+")


def text_terms(text: str) -> Counter:
    """English word stems and Japanese character bigrams of a text."""
    terms: Counter = Counter()
    for word in english_tokens(text).split():
        if word != "#" and len(word) > 2 and word not in _STOPWORDS:
            terms[word] += 1
    for run in _CJK_RUN.findall(normalise(text)):
        for i in range(len(run) - 1):
            terms[run[i : i + 2]] += 1
    return terms


@dataclass
class _Member:
    external_id: str
    data: dict
    url: str
    # Per audience (profiles.privacy): the evidence it may see, and that evidence's words.
    views: dict[str, dict] = field(default_factory=dict)
    terms: dict[str, Counter] = field(default_factory=dict)

    def view(self, audience: str) -> dict:
        return self.views[audience]


def _weighted_terms(data: dict) -> Counter:
    terms: Counter = Counter()
    for field_name in EVIDENCE_FIELDS:
        weight = FIELD_WEIGHTS[field_name]
        if not weight:
            continue
        for term, count in text_terms("\n".join(data["texts"][field_name])).items():
            terms[term] += count * weight
    return terms


class EvidenceIndex:
    """All live members' evidence in memory, kept in step with the MemberEvidence table."""

    def __init__(self):
        self.members: dict[int, _Member] = {}
        self.concept_postings: dict[str, set[int]] = defaultdict(set)
        self.term_postings: dict[str, dict[str, set[int]]] = {
            audience: defaultdict(set) for audience in AUDIENCES
        }
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
        data = row.data
        member = _Member(row.external_id, data, row.profile.url or "")
        all_terms = _weighted_terms(data)
        for audience in AUDIENCES:
            view = for_audience(data, audience)  # `data` itself when nothing is hidden
            member.views[audience] = view
            member.terms[audience] = all_terms if view is data else _weighted_terms(view)
            for term in member.terms[audience]:
                self.term_postings[audience][term].add(row.profile_id)
        self.members[row.profile_id] = member
        for field_name, counts in data["concepts"].items():
            if FIELD_WEIGHTS.get(field_name):
                for concept in counts:
                    self.concept_postings[concept].add(row.profile_id)

    def _remove(self, profile_id: int) -> None:
        member = self.members.pop(profile_id, None)
        if member is None:
            return
        for counts in member.data["concepts"].values():
            for concept in counts:
                self.concept_postings[concept].discard(profile_id)
        for audience, terms in member.terms.items():
            for term in terms:
                self.term_postings[audience][term].discard(profile_id)


_index = EvidenceIndex()


class DatabaseMatcher:
    """Ranks members for a project from the evidence stored in the database."""

    name = "database"

    def __init__(self, index: EvidenceIndex | None = None):
        self.index = index or _index

    def match(self, query: MatchQuery) -> list[MatchResult]:
        self.index.refresh()
        analysed = analyse_query(query)
        members = self.index.members
        total = max(len(members), 1)
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, list] = defaultdict(list)
        for concept, weight in analysed.concepts.items():
            postings = self.index.concept_postings.get(concept, ())
            concept_idf = idf(len(postings), total)
            for profile_id in postings:
                data = members[profile_id].view(query.audience)
                for field_name, counts in data["concepts"].items():
                    count = counts.get(concept, 0)
                    field_weight = FIELD_WEIGHTS.get(field_name, 0.0)
                    if count and field_weight:
                        contribution = weight * concept_idf * field_weight * saturate(count)
                        scores[profile_id] += contribution
                        matched[profile_id].append((field_name, concept, contribution))
        text_matched = self._score_text(analysed.text, scores, total, query.audience)
        today = clock.today()
        for profile_id in scores:
            scores[profile_id] *= freshness_factor(members[profile_id].data.get("as_of"), today)
        candidates = [pid for pid, score in scores.items() if score > 0]
        candidates = [pid for pid in candidates if self._passes_filters(members[pid].data, query)]
        candidates.sort(key=lambda pid: -scores[pid])
        results = []
        for profile_id in candidates[: max(query.limit * 5, 50)]:
            member = members[profile_id]
            data = member.view(query.audience)
            reasons = evidence_reasons(
                matched[profile_id],
                data["surfaces"],
                data.get("as_of"),
                data.get("report_labels"),
            )
            if not reasons and text_matched.get(profile_id):
                words = ", ".join(text_matched[profile_id][:3])
                reasons = [with_age(field_reason("text", words), data.get("as_of"))]
            language = language_reason(data["languages"], query.language)
            if language:
                reasons.append(language)
            results.append(
                MatchResult(
                    external_id=member.external_id,
                    name=data["name_ja"] or data["name_en"],
                    url=member.url,
                    score=round(scores[profile_id], 4),
                    reasons=reasons,
                    meets_language=meets_language(data["languages"], query.language),
                )
            )
        return order_by_language_tier(results)[: query.limit]

    def _score_text(
        self, text: str, scores: dict, total: int, audience: str
    ) -> dict[int, list[str]]:
        matched_terms: dict[int, list[str]] = defaultdict(list)
        spelled = {english_tokens(word).strip(): word for word in re.findall(r"[\w-]+", text)}
        for term in text_terms(text):
            postings = self.index.term_postings[audience].get(term, ())
            if not postings or len(postings) > max(total * 0.2, 10):
                continue  # too common to tell members apart
            term_idf = idf(len(postings), total)
            for profile_id in postings:
                weighted = self.index.members[profile_id].terms[audience][term]
                scores[profile_id] += TEXT_WEIGHT * term_idf * saturate(weighted)
                matched_terms[profile_id].append(spelled.get(term, term))
        return matched_terms

    @staticmethod
    def _passes_filters(data: dict, query: MatchQuery) -> bool:
        for key in ("bureau", "job_category"):
            wanted = (query.filters or {}).get(key)
            if wanted and data.get(key) != wanted:
                return False
        return True


def reset_index() -> None:
    """Forget the in-memory index (tests, and after the evidence table is rebuilt)."""
    _index.__init__()
