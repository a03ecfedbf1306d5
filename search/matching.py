"""The matching interface shared by the OpenSearch and the database implementations."""

import datetime
import math
import re
from dataclasses import dataclass, field

from profiles.privacy import MEMBERS_AUDIENCE
from profiles.vocabularies import cefr_rank
from talenthub import clock

from .evidence import without_organisations
from .glossary import Glossary, get_glossary

TAG_QUERY_BOOST = 1.5
# Evidence of a narrower concept is evidence of the broader one a query names (a bridge
# seismic retrofit expert is a bridge expert); evidence of a broader concept counts a little
# for a narrower query (a bridge engineer may know bridge seismic retrofit).
NARROWER_SHARE = 0.35
BROADER_SHARE = 0.25
# An excluded concept ("not water mains") takes away up to this share of a member's score,
# in proportion to how much of the member's matching evidence is about it.
EXCLUSION_PENALTY = 0.8
# Words the glossary does not know count too, for much less (a project may name a tool or a
# method), unless so common that they do not tell members apart.
TEXT_WEIGHT = 0.25
COMMON_TERM_SHARE = 0.2
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


@dataclass
class MatchResponse:
    results: list[MatchResult]
    backend: str
    took_ms: int
    notice: str = ""


# Exclusions, each naming what follows or precedes it: "not sewer pipes", "excluding X",
# "X is out of scope", "下水道管ではなく", "水道管は除く", "X以外", "Xは対象外".
_CLAUSE = r"[^.;:!?。、,，；：\n()（）「」]"
_NEGATION_JA = re.compile(
    rf"({_CLAUSE}{{1,25}}?)(?:ではなく|でなく|ではない|じゃなく|は除く|を除く|を除き|は除き|"
    rf"を除いた|は除外|を除外|以外|は対象外|は対象としない|は含まない|は含めない|を含まない|"
    rf"は不要|は求めない|は求めていない|は必要ない|は必要ありません|は問題としない)"
)
_NEGATION_EN = re.compile(
    rf"\b(?:not|excluding|excludes?|excluded|except(?: for)?|other than|rather than|instead of|"
    rf"apart from|aside from|without|no|nor|never|but not|beyond)\b({_CLAUSE}{{1,60}})",
    re.IGNORECASE,
)
_NEGATION_EN_AFTER = re.compile(
    rf"({_CLAUSE}{{1,60}}?)\b(?:is|are)\s+(?:not\s+(?:needed|required|wanted|relevant|in scope|"
    rf"the focus|the subject|covered)|out of scope|excluded|outside (?:the|our) scope)\b",
    re.IGNORECASE,
)


@dataclass
class AnalysedQuery:
    """What a project asks for, in both languages at once.

    `concepts` weighs each concept the project names (negative: excluded); `expansions` adds,
    for each positive concept, the narrower and broader concepts whose evidence counts for it
    and their share; `terms` weighs the plain words no concept explains."""

    concepts: dict[str, float]
    text: str
    expansions: dict[str, dict[str, float]] = field(default_factory=dict)
    # Each concept and the concepts that are kinds of it: the members "mentioning" a concept,
    # for its rarity, are those who mention any of these.
    families: dict[str, tuple[str, ...]] = field(default_factory=dict)
    terms: dict[str, float] = field(default_factory=dict)
    # Each plain term's word as the project wrote it, for reasons ("bridges", "バンクーバー").
    spellings: dict[str, str] = field(default_factory=dict)

    @property
    def positive(self) -> dict[str, float]:
        return {c: w for c, w in self.concepts.items() if w > 0}

    @property
    def negative(self) -> list[str]:
        return [c for c, w in self.concepts.items() if w < 0]

    def evidence_concepts(self) -> set[str]:
        """Every concept whose evidence counts, for or against (what an index looks up)."""
        wanted = set(self.concepts)
        for shares in self.expansions.values():
            wanted.update(shares)
        return wanted


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
    positive_text = _without_negations(text)
    if negated:
        named_positively = set(glossary.concept_counts(positive_text)) | tag_concepts
        for concept in negated - named_positively:
            weights[concept] = -1.0
    terms: dict[str, float] = {}
    spellings: dict[str, str] = {}
    for part in (positive_text, *query.tags):
        for word, word_terms in glossary.unexplained_words(part):
            # A Japanese word is several bigrams; together they count as much as one word.
            for term in word_terms:
                terms[term] = terms.get(term, 0.0) + 1 / len(word_terms)
                spellings.setdefault(term, word)
    return AnalysedQuery(
        concepts=weights,
        text=" ".join([text, *query.tags]).strip(),
        expansions=_expansions(weights, glossary),
        families={c: (c, *glossary.narrower.get(c, ())) for c in weights},
        terms=terms,
        spellings=spellings,
    )


def _expansions(weights: dict[str, float], glossary: Glossary) -> dict[str, dict[str, float]]:
    expansions: dict[str, dict[str, float]] = {}
    for concept, weight in weights.items():
        shares = {narrower: NARROWER_SHARE for narrower in glossary.narrower.get(concept, ())}
        if weight > 0:
            for broader in glossary.broader_of(concept):
                shares.setdefault(broader, BROADER_SHARE)
        # A concept the project names itself counts in full, never as an expansion.
        expansions[concept] = {c: s for c, s in shares.items() if c not in weights}
    return expansions


def _negated_concepts(text: str, glossary: Glossary) -> set[str]:
    spans = [m.group(1) for m in _NEGATION_JA.finditer(text)]
    spans += [m.group(1) for m in _NEGATION_EN.finditer(text)]
    spans += [m.group(1) for m in _NEGATION_EN_AFTER.finditer(text)]
    found: set[str] = set()
    for span in spans:
        found.update(glossary.concept_counts(span))
    return found


def _without_negations(text: str) -> str:
    for pattern in (_NEGATION_JA, _NEGATION_EN_AFTER, _NEGATION_EN):
        text = pattern.sub(" ", text)
    return text


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


def idf(document_frequency: int, total: int) -> float:
    return math.log(1 + (total - document_frequency + 0.5) / (document_frequency + 0.5))


def meets_language(languages: dict, requirement: LanguageRequirement | None) -> bool | None:
    if requirement is None:
        return None
    entry = languages.get(requirement.language)
    return bool(entry and entry.get("rank", 0) >= requirement.min_rank)
