"""The one scoring core: both matchers rank their candidates here, so they agree.

A `Matcher` back end only finds candidates and counts how many members mention each concept or
word (the database from its in-memory index, OpenSearch with a query and an aggregation); this
module scores every candidate from its typed `Evidence`, applies exclusions, freshness and the
language rule, orders the members and explains each match.

Per query concept: weight × rarity (IDF) × the member's field-weighted, saturated mentions
(Evidence.concept_strength), plus the mentions of its narrower and broader concepts at their
share. Plain words the glossary does not know add a little on top.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

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


def rank(
    candidates: list[Candidate], analysed: AnalysedQuery, stats: CorpusStats, query: MatchQuery
) -> list[MatchResult]:
    """The top `query.limit` members, best first; the same candidates give the same order."""
    scored = [
        item
        for candidate in candidates
        if _passes_filters(candidate.evidence, query)
        for item in [_score(candidate, analysed, stats, query)]
        if item.score > 0
    ]
    scored.sort(key=lambda item: (-item.score, item.candidate.evidence.external_id))
    scored = _by_language_tier(scored)
    return [_result(item, query) for item in scored[: query.limit]]


def _score(
    candidate: Candidate, analysed: AnalysedQuery, stats: CorpusStats, query: MatchQuery
) -> _Scored:
    evidence = candidate.evidence
    strength = evidence.concept_strength
    positive, matched = 0.0, []
    for concept, weight in analysed.positive.items():
        factor = weight * stats.concept_idf(concept)
        for evidence_concept, share in ((concept, 1.0), *analysed.expansions[concept].items()):
            if strength.get(evidence_concept):
                for field_name, field_strength in evidence.matched_fields(evidence_concept):
                    contribution = factor * share * field_strength
                    positive += contribution
                    matched.append((field_name, evidence_concept, contribution))
    plain, words = 0.0, []
    for term, weight in analysed.terms.items():
        term_strength = evidence.term_strength.get(term)
        term_idf = stats.term_idf(term) if term_strength else None
        if term_idf:
            plain += TEXT_WEIGHT * weight * term_idf * term_strength
            if analysed.spellings[term] not in words:
                words.append(analysed.spellings[term])
    if analysed.positive:
        # Words alone never outrank one biography mention of the project's main concept.
        plain = min(plain, _one_mention(analysed, stats))
    positive += plain
    score = positive
    excluded = 0.0
    for concept in analysed.negative:
        evidence_concepts = (concept, *analysed.expansions.get(concept, {}))
        excluded += stats.concept_idf(concept) * sum(
            strength.get(c, 0.0) for c in evidence_concepts
        )
    if excluded and positive:
        score *= 1 - EXCLUSION_PENALTY * excluded / (excluded + positive)
    score *= freshness_factor(evidence.as_of)
    return _Scored(
        candidate,
        round(score, 6),
        matched,
        words,
        meets_language(evidence.languages, query.language),
    )


def _one_mention(analysed: AnalysedQuery, stats: CorpusStats) -> float:
    return max(
        weight * stats.concept_idf(concept) * ONE_MENTION
        for concept, weight in analysed.positive.items()
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
        item.matched, evidence.surfaces, evidence.as_of, evidence.report_labels
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
