"""The one scoring core: both matchers rank their candidates here, so they agree.

A `Matcher` back end only finds candidates and counts how many members mention each concept or
word (the database from its in-memory index, OpenSearch with a query and an aggregation); this
module scores every candidate from its typed `Evidence`, applies exclusions, freshness and the
language rule, orders the members and explains each match.

Per query concept: weight × rarity (IDF) × the member's field-weighted, saturated mentions
(Evidence.concept_strength), plus the mentions of its narrower and broader concepts at their
share. Plain words the glossary does not know add a little on top.
"""

import datetime
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from talenthub import clock

from .evidence import FIELD_WEIGHTS, Evidence, saturate
from .explanations import evidence_reasons, field_reason, language_reason, with_age
from .matching import (
    COMMON_TERM_SHARE,
    EXCLUSION_PENALTY,
    LANGUAGE_TIER_SHARE,
    TEXT_WEIGHT,
    AnalysedQuery,
    MatchQuery,
    MatchResult,
    analyse_query,
    freshness_factor,
    idf,
    meets_language,
)

FILTERED_FIELDS = ("bureau", "job_category")
# What a single biography mention of a concept is worth, before weight and rarity.
ONE_MENTION = FIELD_WEIGHTS["bio"] * saturate(1)


@dataclass
class Candidate:
    """A member a back end found, with the evidence the asking audience may see."""

    profile_id: int
    url: str
    evidence: Evidence
    # At least the score this member can reach (score_bounds). Given best bound first,
    # rank() stops scoring once nobody left could enter the results.
    bound: float | None = None


@dataclass
class CorpusStats:
    """How many members there are, and how many mention each concept and plain word."""

    total: int
    concept_frequency: dict[str, int] = field(default_factory=dict)
    term_frequency: dict[str, int] = field(default_factory=dict)

    def concept_idf(self, concept: str) -> float:
        return idf(self.concept_frequency.get(concept, 0), max(self.total, 1))

    def term_idf(self, term: str) -> float | None:
        """None for a word too common to tell members apart."""
        frequency = self.term_frequency.get(term, 0)
        if not frequency or frequency > max(self.total * COMMON_TERM_SHARE, 10):
            return None
        return idf(frequency, max(self.total, 1))


@dataclass
class _Scored:
    candidate: Candidate
    score: float
    # (field, concept, contribution): which of the member's words explain the match.
    matched: list[tuple[str, str, float]]
    words: list[str]
    meets_language: bool | None


class Matcher(ABC):
    """Ranks members for a project. Back ends differ only in where candidates come from."""

    name: str

    def match(self, query: MatchQuery) -> list[MatchResult]:
        analysed = analyse_query(query)
        candidates, stats = self.candidates(analysed, query)
        return rank(candidates, analysed, stats, query)

    @abstractmethod
    def candidates(
        self, analysed: AnalysedQuery, query: MatchQuery
    ) -> tuple[list[Candidate], CorpusStats]:
        """Every member who could match (at least the best ones), and the corpus counts."""


# Scores are rounded to six places; a bound this much above a score is still a bound.
SCORE_MARGIN = 1e-5
# How many candidates rank() scores between checks of whether the rest could still matter.
SETTLE_EVERY = 16


@dataclass
class QueryWeights:
    """What each candidate's evidence is multiplied by, worked out once per query."""

    # (concept, weight × rarity, {related concept: share}) for each positive concept
    positive: list[tuple[str, float, dict[str, float]]]
    # (plain word, TEXT_WEIGHT × weight × rarity) for each word rare enough to count
    terms: list[tuple[str, float]]
    # Words alone never outrank one biography mention of the project's main concept.
    plain_cap: float | None
    # (rarity, the concept and its related concepts) for each excluded concept
    negative: list[tuple[float, tuple[str, ...]]]
    # Each plain word as the project wrote it, for reasons.
    spellings: dict[str, str]
    today: datetime.date
    _freshness: dict = field(default_factory=dict)

    @classmethod
    def of(cls, analysed: AnalysedQuery, stats: CorpusStats) -> "QueryWeights":
        positive = [
            (concept, weight * stats.concept_idf(concept), analysed.expansions[concept])
            for concept, weight in analysed.positive.items()
        ]
        terms = [
            (term, TEXT_WEIGHT * weight * term_idf)
            for term, weight in analysed.terms.items()
            for term_idf in [stats.term_idf(term)]
            if term_idf
        ]
        plain_cap = (
            max(factor * ONE_MENTION for _concept, factor, _shares in positive)
            if positive
            else None
        )
        negative = [
            (stats.concept_idf(concept), (concept, *analysed.expansions.get(concept, {})))
            for concept in analysed.negative
        ]
        return cls(positive, terms, plain_cap, negative, analysed.spellings, clock.today())

    def freshness(self, as_of: dict | None) -> float:
        month = as_of["month"] if as_of else None
        if month not in self._freshness:
            self._freshness[month] = freshness_factor(as_of, self.today)
        return self._freshness[month]


def score_bounds(
    weights: QueryWeights,
    concept_strengths: dict[str, dict[int, float]],
    term_strengths: dict[str, dict[int, float]],
) -> dict[int, float]:
    """For every member who mentions a positive concept of the query (or, when it names none,
    one of its words), a number their score cannot exceed, from per-concept and per-word
    postings of their full evidence (member id → Evidence.concept_strength / term_strength).

    It is the score's sum with every related concept counted instead of the strongest, and
    no exclusion or age discount, so a back end can hand rank() its members best bound
    first and rank() can stop early."""
    bounds: dict[int, float] = defaultdict(float)
    for concept, factor, shares in weights.positive:
        for evidence_concept, share in ((concept, 1.0), *shares.items()):
            for member, strength in concept_strengths.get(evidence_concept, {}).items():
                bounds[member] += factor * share * strength
    plain: dict[int, float] = defaultdict(float)
    for term, factor in weights.terms:
        for member, strength in term_strengths.get(term, {}).items():
            # With concepts, words only add to members the concepts found.
            if weights.plain_cap is None or member in bounds:
                plain[member] += factor * strength
    for member, value in plain.items():
        cap = weights.plain_cap
        bounds[member] += value if cap is None else min(value, cap)
    return bounds


def rank(
    candidates: Iterable[Candidate], analysed: AnalysedQuery, stats: CorpusStats, query: MatchQuery
) -> list[MatchResult]:
    """The top `query.limit` members, best first; the same candidates give the same order.

    Candidates with a bound must come best bound first: scoring stops once no member left
    could enter the results (so the result is the same as scoring them all)."""
    weights = QueryWeights.of(analysed, stats)
    scored: list[_Scored] = []
    for number, candidate in enumerate(candidates):
        if (
            candidate.bound is not None
            and number % SETTLE_EVERY == 0
            and _settled(candidate.bound, scored, query)
        ):
            break
        if _passes_filters(candidate.evidence, query):
            item = _score(candidate, weights, query)
            if item.score > 0:
                scored.append(item)
    scored.sort(key=lambda item: (-item.score, item.candidate.evidence.external_id))
    scored = _by_language_tier(scored)
    return [
        _result(_score(item.candidate, weights, query, explain=True), query)
        for item in scored[: query.limit]
    ]


def _settled(bound: float, scored: list["_Scored"], query: MatchQuery) -> bool:
    """Whether no member scoring at most `bound` could enter the top `query.limit`: neither
    overall nor, with a language requirement, among those who meet it (_by_language_tier)."""
    limit = query.limit
    if len(scored) < limit:
        return False
    scores = sorted((item.score for item in scored), reverse=True)
    if bound + SCORE_MARGIN >= scores[limit - 1]:
        return False
    if query.language is None:
        return True
    threshold = scores[0] * LANGUAGE_TIER_SHARE
    tier = sorted(
        (item.score for item in scored if item.meets_language and item.score >= threshold),
        reverse=True,
    )
    floor = tier[limit - 1] if len(tier) >= limit else threshold
    return bound + SCORE_MARGIN < floor


def _score(
    candidate: Candidate, weights: QueryWeights, query: MatchQuery, explain: bool = False
) -> "_Scored":
    """The member's score; with `explain`, also which fields and words it came from."""
    evidence = candidate.evidence
    strength = evidence.concept_strength
    positive, matched = 0.0, []
    for concept, factor, shares in weights.positive:
        # The concept itself, plus its strongest related concept: two narrower concepts
        # (pipe renewal, sewer rehabilitation) are two words for one piece of evidence.
        evidence_concepts = [(concept, 1.0)] if strength.get(concept) else []
        if len(strength) < len(shares):
            related = [
                (shares[other] * value, other)
                for other, value in strength.items()
                if value and other in shares
            ]
        else:
            related = [
                (share * strength[other], other)
                for other, share in shares.items()
                if strength.get(other)
            ]
        if related:
            _best, other = max(related)
            evidence_concepts.append((other, shares[other]))
        for evidence_concept, share in evidence_concepts:
            for field_name, field_strength in evidence.matched_fields(evidence_concept):
                contribution = factor * share * field_strength
                positive += contribution
                if explain:
                    matched.append((field_name, evidence_concept, contribution))
    plain, words = 0.0, []
    term_strength = evidence.term_strength
    for term, factor in weights.terms:
        strength_of_term = term_strength.get(term)
        if strength_of_term:
            plain += factor * strength_of_term
            if explain and weights.spellings[term] not in words:
                words.append(weights.spellings[term])
    if weights.plain_cap is not None:
        plain = min(plain, weights.plain_cap)
    positive += plain
    score = positive
    excluded = 0.0
    for rarity, evidence_concepts in weights.negative:
        excluded += rarity * sum(strength.get(c, 0.0) for c in evidence_concepts)
    if excluded and positive:
        score *= 1 - EXCLUSION_PENALTY * excluded / (excluded + positive)
    score *= weights.freshness(evidence.as_of)
    return _Scored(
        candidate,
        round(score, 6),
        matched,
        words,
        meets_language(evidence.languages, query.language),
    )


def _passes_filters(evidence: Evidence, query: MatchQuery) -> bool:
    filters = query.filters or {}
    return all(
        not filters.get(name) or getattr(evidence, name) == filters[name]
        for name in FILTERED_FIELDS
    )


def _by_language_tier(scored: list[_Scored]) -> list[_Scored]:
    """Members who meet the language requirement first, as long as they are real candidates
    (at least LANGUAGE_TIER_SHARE of the best score); the order is the same for any limit."""
    if not scored or scored[0].meets_language is None:
        return scored
    threshold = scored[0].score * LANGUAGE_TIER_SHARE
    first = [s for s in scored if s.meets_language and s.score >= threshold]
    chosen = {id(s) for s in first}
    return first + [s for s in scored if id(s) not in chosen]


def _result(item: _Scored, query: MatchQuery) -> MatchResult:
    evidence = item.candidate.evidence
    reasons = evidence_reasons(
        item.matched, evidence.surfaces, evidence.as_of, evidence.report_labels, evidence.roles
    )
    if not reasons and item.words:
        reasons = [with_age(field_reason("text", ", ".join(item.words[:3])), evidence.as_of)]
    language = language_reason(evidence.languages, query.language)
    if language:
        reasons.append(language)
    return MatchResult(
        external_id=evidence.external_id,
        name=evidence.name,
        url=item.candidate.url,
        score=round(item.score, 4),
        reasons=reasons,
        meets_language=item.meets_language,
    )
