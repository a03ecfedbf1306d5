"""What a profile tells us about a member's expertise, in one plain dictionary.

Both matching implementations index this same evidence: the OpenSearch document is built from
it, and the database implementation scores it directly. Statements of mere interest ("今後は…に
挑戦したい", "interested in … although has not worked on it") are kept apart from experience,
and bureau names are removed before looking for concepts (a 下水道局 member may be an electrical
engineer).
"""

import re
from collections import Counter
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any

from django.utils import timezone

from profiles.privacy import AUDIENCES, MEMBERS_AUDIENCE, Visibility, audience_sees
from profiles.vocabularies import cefr_rank

from .glossary import get_glossary, text_terms

# Where evidence comes from, and how much a mention there counts.
FIELD_WEIGHTS: dict[str, float] = {
    "tags": 3.0,
    "records": 2.0,
    "reports": 2.0,  # exchange reports the member took part in (studyabroad)
    "bio": 1.5,
    "experience": 1.2,
    "aspirations": 0.0,
}
EVIDENCE_FIELDS = tuple(FIELD_WEIGHTS)
# The profile privacy group (profiles.privacy.FIELD_GROUPS) each piece of evidence belongs to;
# tags are always visible to members.
PRIVACY_GROUPS: dict[str, str] = {
    "bio": "bio",
    "aspirations": "bio",
    "experience": "experience",
    "records": "experience",
    # Taking part in an exchange is an exchange record too: shared as the member shares those.
    "reports": "experience",
    "languages": "languages",
    "overseas_countries": "experience",
}

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)\s+|\n+")
_ASPIRATION = re.compile(
    r"したい|してみたい|挑戦|関心を持|関心があ|興味|学びたい|携わりたい|取り組みたい|目指し|志望|"
    r"今後は|将来は|経験はない|経験はまだ|未経験|まだ経験|希望して|"
    r"\binterest(ed)? in\b|\bwould (like|love) to\b|\bhop(e|es|ing) to\b|\bkeen to\b|\baspir|"
    r"\bnot yet\b|\bha(s|ve) not\b|\bhasn't\b|\bhaven't\b|\bno experience\b|\bwants? to\b|"
    r"\bplans? to (learn|study|work)\b|\beager to\b|\blooking forward\b|\bin the future\b",
    re.IGNORECASE,
)
# Organisation names (建設局, 港湾局港湾経営部, シドニー水道公社, Bureau of Sewerage, DC Water
# Authority): where someone works or who visits, not what the work is about.
# How strongly a sentence claims its areas: leading them, or only brushing against them
# (training, support, a visit). Everything else is plain practice.
_LEADING = re.compile(
    r"主担当|主任技術者|中心的な役割|中心となって|専門とし|専門家として|責任者|統括|指揮|主導|牽引|"
    r"リーダー|取りまとめ|講師|発表|第一人者|長年|一貫して|"
    r"\b(?:led|leads|leading|lead engineer|principal|head of|in charge of|responsible for|"
    r"speciali[sz]|expert in|expertise in|managed|oversaw|oversees|supervised|chief|presented|"
    r"lectur|teach|teaches|taught|authored|pioneered|spearheaded|directed|coordinated the)\b",
    re.IGNORECASE,
)
_BRUSHING = re.compile(
    r"受講|研修に参加|研修を受け|セミナーに参加|見学|視察に参加|補助|手伝|応援業務|一部を担当|"
    r"基礎知識|少しだけ|触れた|聴講|"
    r"\b(?:attended|took a course|training on|a course on|seminar on|workshop on|introduced to|"
    r"assisted|assisting|helped with|supported the|observed|shadowed|familiar with|"
    r"basic knowledge|some exposure|briefly|sat in on)\b",
    re.IGNORECASE,
)
LEADING, BRUSHING = "lead", "brief"
# How much a mention counts by the role its sentence gives it.
ROLE_FACTORS = {LEADING: 1.25, BRUSHING: 0.5}


def sentence_role(sentence: str) -> str:
    """LEADING, BRUSHING or "" (practice) for one sentence; leading wins when both appear."""
    if _LEADING.search(sentence):
        return LEADING
    if _BRUSHING.search(sentence):
        return BRUSHING
    return ""


_ORGANISATION = re.compile(
    r"[\u30a0-\u30ff\u3400-\u9fff・]{1,12}(?:局|本部|庁|公社|公団|省|機構)"
    r"(?:[\u30a0-\u30ff\u3400-\u9fff]{1,9}部)?(?:[\u30a0-\u30ff\u3400-\u9fff]{1,9}課)?|"
    r"\b(?:[A-Z][\w-]* ){0,4}(?:Bureau|Office|Department|Headquarters|Ministry|Agency|Authority)"
    r" of (?:the )?"
    r"[A-Z][\w-]*(?:,? (?:and|&|of) [A-Z][\w-]*)*(?: [A-Z][\w-]*)*|"
    r"\b(?:[A-Z][\w-]* ){1,4}(?:Bureau|Department|Authority|Agency|Corporation|Commission)\b"
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text or "") if s and s.strip()]


def is_aspiration(sentence: str) -> bool:
    """Whether a sentence states an interest or plan rather than experience."""
    return bool(_ASPIRATION.search(sentence))


def without_organisations(text: str) -> str:
    return _ORGANISATION.sub(" ", text or "")


def is_japanese(text: str) -> bool:
    return bool(_CJK.search(text))


def evidence_as_of(page) -> dict[str, str] | None:
    """How old the evidence is: the month the member last confirmed the profile, or else the
    month it was last published (an import or an edit)."""
    if page.confirmed_at:
        return {"kind": "confirmed", "month": page.confirmed_at.strftime("%Y-%m")}
    published = page.last_published_at or page.first_published_at
    if published:
        return {"kind": "updated", "month": timezone.localtime(published).strftime("%Y-%m")}
    return None


def live_reports_of(page) -> list:
    """The published exchange reports this member took part in (prefetched by search.sync)."""
    seen, reports = set(), []
    for participation in page.report_participations.all():
        report = participation.page
        if report.live and report.pk not in seen:
            seen.add(report.pk)
            reports.append(report)
    return sorted(reports, key=lambda report: report.start_date, reverse=True)


def report_text(report) -> str:
    classification = report.classification.name_ja if report.classification_id else ""
    tags = " ".join(tag.name for tag in report.tags.all())
    parts = [report.title, classification, report.outcomes, report.utilisation_plan, tags]
    return "\n".join(part for part in parts if part)


def build_evidence(page) -> dict[str, Any]:
    """The evidence dictionary for one ProfilePage (live or not).

    Fields the member keeps to themself are left out altogether; fields shared with managers
    only are listed in `hidden_from_members`, and `for_audience` removes them for members."""
    visibility = {
        group: getattr(page, f"visibility_{group}") or Visibility.MEMBERS
        for group in set(PRIVACY_GROUPS.values())
    }

    def shared(group: str) -> bool:
        return visibility[group] != Visibility.PRIVATE

    bio_sentences = (
        split_sentences(page.bio_ja) + split_sentences(page.bio_en) if shared("bio") else []
    )
    experiences = list(page.overseas_experiences.all()) if shared("experience") else []
    records = list(page.exchange_records.all()) if shared("experience") else []
    reports = live_reports_of(page) if shared("experience") else []
    texts = {
        "tags": [tag.name for tag in page.tags.all()],
        "bio": [s for s in bio_sentences if not is_aspiration(s)],
        "aspirations": [s for s in bio_sentences if is_aspiration(s)],
        "experience": [item.text for item in experiences],
        "records": [record.text for record in records],
        "reports": [report_text(report) for report in reports],
    }
    glossary = get_glossary()
    concepts: dict[str, dict[str, int]] = {}
    surfaces: dict[str, dict[str, str]] = {}
    roles: dict[str, dict[str, str]] = {}
    # Which report first mentions each concept, so a reason can name it.
    report_labels: dict[str, str] = {}
    for field_name, items in texts.items():
        described = _describe(items, glossary, by_sentence=field_name != "tags")
        concepts[field_name], surfaces[field_name], roles[field_name], per_item = described
        if field_name == "reports":
            for report, item_concepts in zip(reports, per_item, strict=True):
                for concept in item_concepts:
                    report_labels.setdefault(concept, report.short_label)
    languages = {
        item.language: {
            "level": item.level,
            "rank": cefr_rank(item.level),
            "test": item.test_name,
            "score": float(item.score) if item.score is not None else None,
        }
        for item in (page.languages.all() if shared("languages") else [])
    }
    return {
        "external_id": page.external_id,
        "name_ja": page.name_ja,
        "name_en": page.name_en,
        "bureau": page.bureau.name_ja if page.bureau_id else "",
        "job_category": page.job_category.name_ja if page.job_category_id else "",
        "position": page.position,
        "years_of_service": page.years_of_service,
        "interested_in_dispatch": page.interested_in_dispatch,
        "overseas_countries": sorted({str(i.country) for i in experiences}),
        "languages": languages,
        "texts": texts,
        "concepts": concepts,
        "surfaces": surfaces,
        "terms": terms_by_field(texts),
        "roles": roles,
        "as_of": evidence_as_of(page),
        "report_labels": report_labels,
        "hidden_from_members": sorted(
            name
            for name, group in PRIVACY_GROUPS.items()
            if not audience_sees(visibility[group], MEMBERS_AUDIENCE)
        ),
    }


def _describe(items: list[str], glossary, by_sentence: bool):
    """One field's concept counts, first surfaces, roles and each item's concepts, matching
    every sentence once. A concept's role is the strongest any sentence gives it: LEADING
    beats practice beats BRUSHING, so one "led the programme" outweighs a training course."""
    rank = {BRUSHING: 0, "": 1, LEADING: 2}
    counts: Counter = Counter()
    surfaces: dict[str, str] = {}
    best: dict[str, str] = {}
    per_item: list[set[str]] = []
    for item in items:
        item_concepts: set[str] = set()
        for sentence in split_sentences(item) if by_sentence else [item]:
            found, found_surfaces = glossary.describe(without_organisations(sentence))
            counts.update(found)
            item_concepts.update(found)
            for concept, surface in found_surfaces.items():
                surfaces.setdefault(concept, surface)
            role = sentence_role(sentence) if by_sentence else ""
            for concept in found:
                if concept not in best or rank[role] > rank[best[concept]]:
                    best[concept] = role
        per_item.append(item_concepts)
    roles = {concept: role for concept, role in best.items() if role}
    return dict(counts), surfaces, roles, per_item


def terms_by_field(texts: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Each field's plain words (glossary.text_terms), stored so that scoring never tokenises."""
    return {name: dict(text_terms("\n".join(items))) for name, items in texts.items()}


def saturate(count: float) -> float:
    """BM25's term-frequency saturation (k1 = 1.2) without length normalisation: a second and
    third mention add less and less (strong areas are mentioned more often than weak ones)."""
    return count * 2.2 / (count + 1.2) if count > 0 else 0.0


@dataclass
class Evidence:
    """What one member's profile says about their expertise, as the matchers read it.

    Stored as a plain dictionary (MemberEvidence.data, the engine's documents); this is the
    one typed view of it. `concepts`, `surfaces` and `terms` are per evidence field."""

    external_id: str
    name_ja: str = ""
    name_en: str = ""
    bureau: str = ""
    job_category: str = ""
    position: str = ""
    years_of_service: int | None = None
    interested_in_dispatch: bool = False
    overseas_countries: list[str] = field(default_factory=list)
    languages: dict[str, dict] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)
    concepts: dict[str, dict[str, int]] = field(default_factory=dict)
    surfaces: dict[str, dict[str, str]] = field(default_factory=dict)
    terms: dict[str, dict[str, int]] = field(default_factory=dict)
    # Per field, concepts whose strongest sentence leads them ("lead") or only brushes
    # against them ("brief"); the rest are practice.
    roles: dict[str, dict[str, str]] = field(default_factory=dict)
    as_of: dict | None = None
    report_labels: dict[str, str] = field(default_factory=dict)
    hidden_from_members: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Evidence":
        known = {f.name for f in fields(cls)}
        evidence = cls(**{k: v for k, v in data.items() if k in known})
        if not evidence.terms and evidence.texts:  # stored before terms were
            evidence.terms = terms_by_field(evidence.texts)
        return evidence

    @property
    def name(self) -> str:
        return self.name_ja or self.name_en or self.external_id

    @property
    def tags(self) -> list[str]:
        return self.texts.get("tags", [])

    def hidden_for(self, audience: str) -> set[str]:
        """Evidence names (texts, "languages", "overseas_countries") this audience may not see."""
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}")
        if audience != MEMBERS_AUDIENCE:
            return set()
        return set(self.hidden_from_members)

    def for_audience(self, audience: str) -> "Evidence":
        """The evidence as this audience may see it (this same object when nothing is hidden)."""
        hidden = self.hidden_for(audience)
        if not hidden:
            return self
        texts, concepts = dict(self.texts), dict(self.concepts)
        surfaces, terms, roles = dict(self.surfaces), dict(self.terms), dict(self.roles)
        for name in hidden & set(EVIDENCE_FIELDS):
            texts[name], concepts[name], surfaces[name], terms[name] = [], {}, {}, {}
            roles[name] = {}
        return replace(
            self,
            texts=texts,
            concepts=concepts,
            surfaces=surfaces,
            terms=terms,
            roles=roles,
            languages={} if "languages" in hidden else self.languages,
            overseas_countries=[] if "overseas_countries" in hidden else self.overseas_countries,
            # Which reports the member took part in is hidden with them.
            report_labels={} if "reports" in hidden else self.report_labels,
        )

    @cached_property
    def concept_strength(self) -> dict[str, float]:
        """Per concept, the field-weighted, saturated number of mentions (aspirations count
        nothing): what the scoring core multiplies by a concept's weight and rarity."""
        strength: dict[str, float] = {}
        for field_strength in self.field_strengths.values():
            for concept, value in field_strength.items():
                strength[concept] = strength.get(concept, 0.0) + value
        return strength

    @cached_property
    def field_strengths(self) -> dict[str, dict[str, float]]:
        """Per counted field, per concept: field weight × saturated mentions × role factor."""
        strengths = {}
        for name, counts in self.concepts.items():
            weight = FIELD_WEIGHTS.get(name, 0.0)
            if weight:
                roles = self.roles.get(name, {})
                strengths[name] = {
                    concept: weight * saturate(count) * ROLE_FACTORS.get(roles.get(concept), 1.0)
                    for concept, count in counts.items()
                }
        return strengths

    @cached_property
    def term_strength(self) -> dict[str, float]:
        """Per plain word, the saturated, field-weighted number of mentions."""
        weighted: dict[str, float] = {}
        for name, counts in self.terms.items():
            weight = FIELD_WEIGHTS.get(name, 0.0)
            if weight:
                for term, count in counts.items():
                    weighted[term] = weighted.get(term, 0.0) + weight * count
        return {term: saturate(count) for term, count in weighted.items()}

    @property
    def counted_concepts(self) -> set[str]:
        """The concepts of every field that counts (aspirations do not): what indexes list."""
        return _counted_keys(self.concepts)

    @property
    def counted_terms(self) -> set[str]:
        return _counted_keys(self.terms)

    def matched_fields(self, concept: str) -> list[tuple[str, float]]:
        """(field, field-weighted strength) of each field that mentions a concept."""
        return [
            (name, field_strength[concept])
            for name, field_strength in self.field_strengths.items()
            if concept in field_strength
        ]

    def role(self, field_name: str, concept: str) -> str:
        return self.roles.get(field_name, {}).get(concept, "")


def _counted_keys(table: dict[str, dict]) -> set[str]:
    return {key for name, counts in table.items() if FIELD_WEIGHTS.get(name) for key in counts}
