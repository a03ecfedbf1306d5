"""The matching interface shared by the OpenSearch and the database implementations."""

import datetime
import math
import re
from dataclasses import dataclass, field

from profiles.privacy import MEMBERS_AUDIENCE
from profiles.vocabularies import cefr_rank
from talenthub import clock

from .evidence import FIELD_WEIGHTS, without_organisations
from .glossary import Glossary, get_glossary

# BM25's term-frequency saturation without length normalisation: a second and third mention
# of an area add less and less (strong areas are mentioned more often than weak ones).
K1 = 1.2
TAG_QUERY_BOOST = 1.5
NEGATED_WEIGHT = -0.6
# A member below the language requirement ranks after every member who meets it and is a
# real candidate (score at least this share of the best one).
LANGUAGE_TIER_SHARE = 0.3


@dataclass
class LanguageRequirement:
    language: str
    min_level: str

    @property
    def min_rank(self) -> int:
        return cefr_rank(self.min_level)


@dataclass
class MatchQuery:
    text: str = ""
    tags: list[str] = field(default_factory=list)
    language: LanguageRequirement | None = None
    limit: int = 10
    filters: dict[str, str] = field(default_factory=dict)
    # Who asks (profiles.privacy): members never match on fields shared with managers only.
    audience: str = MEMBERS_AUDIENCE


@dataclass
class MatchResult:
    external_id: str
    name: str
    url: str
    score: float
    reasons: list[str]
    meets_language: bool | None = None
    language_reasons: list[str] = field(default_factory=list)


@dataclass
class MatchResponse:
    results: list[MatchResult]
    backend: str
    took_ms: int
    notice: str = ""


_NEGATION_JA = re.compile(r"([^。、,，\n]{1,25}?)(?:ではなく|は除く|を除く|は対象外|以外)")
_NEGATION_EN = re.compile(
    r"\b(?:not|excluding|except|other than|rather than|instead of|no)\b([^.;,\n]{1,60})",
    re.IGNORECASE,
)


@dataclass
class AnalysedQuery:
    """What a project asks for: weighted concepts, in both languages at once."""

    concepts: dict[str, float]
    text: str

    @property
    def positive(self) -> dict[str, float]:
        return {c: w for c, w in self.concepts.items() if w > 0}


def analyse_query(query: MatchQuery, glossary: Glossary | None = None) -> AnalysedQuery:
    """Concepts named by the project's text and tags; those only mentioned as exclusions count
    against a member ("下水道管、水道管ではなく" / "sewer pipes, not water mains")."""
    glossary = glossary or get_glossary()
    text = without_organisations(query.text or "")
    weights: dict[str, float] = {}
    for concept in glossary.concept_counts(text):
        weights[concept] = glossary.concepts[concept].weight
    tag_concepts: set[str] = set()
    for tag in query.tags:
        tag_concepts.update(glossary.concept_counts(tag))
    for concept in tag_concepts:
        weights[concept] = glossary.concepts[concept].weight * TAG_QUERY_BOOST
    negated = _negated_concepts(text, glossary)
    if negated:
        named_positively = set(glossary.concept_counts(_without_negations(text))) | tag_concepts
        for concept in negated - named_positively:
            weights[concept] = NEGATED_WEIGHT
    return AnalysedQuery(concepts=weights, text=" ".join([text, *query.tags]).strip())


def _negated_concepts(text: str, glossary: Glossary) -> set[str]:
    spans = [m.group(1) for m in _NEGATION_JA.finditer(text)]
    spans += [m.group(1) for m in _NEGATION_EN.finditer(text)]
    found: set[str] = set()
    for span in spans:
        found.update(glossary.concept_counts(span))
    return found


def _without_negations(text: str) -> str:
    text = _NEGATION_JA.sub(" ", text)
    return _NEGATION_EN.sub(" ", text)


# Evidence nobody has confirmed for a long time counts for a little less: (older than this many
# months, factor), oldest first. Both matchers apply the same steps.
STALE_EVIDENCE_STEPS = ((48, 0.8), (24, 0.9))


def months_old(as_of: dict | None, today: datetime.date) -> int:
    if not as_of:
        return 0
    year, month = (int(part) for part in as_of["month"].split("-"))
    return (today.year * 12 + today.month) - (year * 12 + month)


def freshness_factor(as_of: dict | None, today: datetime.date | None = None) -> float:
    """1.0 for evidence confirmed within two years, less for older evidence."""
    age = months_old(as_of, today or clock.today())
    for months, factor in STALE_EVIDENCE_STEPS:
        if age > months:
            return factor
    return 1.0


def saturate(count: float) -> float:
    return count * (K1 + 1) / (count + K1) if count > 0 else 0.0


def idf(document_frequency: int, total: int) -> float:
    return math.log(1 + (total - document_frequency + 0.5) / (document_frequency + 0.5))


def concept_field_weight(field_name: str) -> float:
    return FIELD_WEIGHTS.get(field_name, 0.0)


def meets_language(languages: dict, requirement: LanguageRequirement | None) -> bool | None:
    if requirement is None:
        return None
    entry = languages.get(requirement.language)
    return bool(entry and entry.get("rank", 0) >= requirement.min_rank)


def order_by_language_tier(results: list[MatchResult]) -> list[MatchResult]:
    """Members who meet the language requirement first, as long as they are real candidates."""
    if not results or all(r.meets_language is None for r in results):
        return results
    best = max(r.score for r in results) or 1.0
    threshold = best * LANGUAGE_TIER_SHARE

    def tier(result: MatchResult) -> int:
        return 0 if result.meets_language and result.score >= threshold else 1

    return sorted(results, key=lambda r: (tier(r), -r.score))
