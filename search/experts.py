"""Faceted expert search: members filtered by bureau, job category, tag, language level and
overseas experience, optionally ranked by a query, with counts for every facet."""

from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Paginator

from profiles.privacy import MEMBERS_AUDIENCE
from profiles.vocabularies import CEFR_LEVELS, cefr_rank

from .database_matching import DatabaseMatcher, EvidenceIndex, _index
from .evidence import Evidence
from .matching import MatchQuery

EXPERTS_PER_PAGE = 20
FACET_SIZE = 15


@dataclass
class ExpertSearch:
    q: str = ""
    tag: str = ""
    bureau: str = ""
    job_category: str = ""
    language: str = ""
    min_level: str = ""
    overseas: bool | None = None
    page: int = 1
    audience: str = MEMBERS_AUDIENCE  # who searches (profiles.privacy)


@dataclass
class Expert:
    profile_id: int
    external_id: str
    name: str
    url: str
    score: float
    reasons: list[str]
    tags: list[str]


@dataclass
class ExpertPage:
    experts: list[Expert]
    total: int
    page: int
    pages: int
    facets: dict[str, list[tuple[str, int]]]


def search_experts(
    params: ExpertSearch, index: EvidenceIndex | None = None, per_page: int = EXPERTS_PER_PAGE
) -> ExpertPage:
    """One page of experts and the facet counts of everyone who matches."""
    index = index or _index
    index.refresh()
    ranked: list[tuple[int, float, list[str]]]
    if params.q.strip():
        matcher = DatabaseMatcher(index)
        results = matcher.match(MatchQuery(text=params.q, limit=10_000, audience=params.audience))
        by_external_id = {m.external_id: pid for pid, m in index.members.items()}
        ranked = [(by_external_id[r.external_id], r.score, r.reasons) for r in results]
    else:
        ranked = [
            (pid, 0.0, [])
            for pid, member in sorted(
                index.members.items(), key=lambda item: item[1].evidence.name_ja
            )
        ]
    views = {pid: index.members[pid].view(params.audience) for pid, _score, _reasons in ranked}
    matching = [item for item in ranked if _passes(views[item[0]], params)]
    facets = _facets([views[pid] for pid, _score, _reasons in matching])
    paginator = Paginator(matching, per_page)
    page = paginator.get_page(params.page)
    experts = []
    for profile_id, score, reasons in page.object_list:
        member = index.members[profile_id]
        evidence = views[profile_id]
        experts.append(
            Expert(
                profile_id=profile_id,
                external_id=member.external_id,
                name=evidence.name_ja or evidence.name_en,
                url=member.url,
                score=score,
                reasons=reasons,
                tags=evidence.tags,
            )
        )
    return ExpertPage(experts, paginator.count, page.number, paginator.num_pages, facets)


def _passes(evidence: Evidence, params: ExpertSearch) -> bool:
    if params.bureau and evidence.bureau != params.bureau:
        return False
    if params.job_category and evidence.job_category != params.job_category:
        return False
    if params.tag and params.tag.casefold() not in {t.casefold() for t in evidence.tags}:
        return False
    if params.language:
        entry = evidence.languages.get(params.language)
        if not entry or entry["rank"] < cefr_rank(params.min_level or "A1"):
            return False
    return params.overseas is None or bool(evidence.overseas_countries) == params.overseas


def _facets(members: list[Evidence]) -> dict[str, list[tuple[str, int]]]:
    bureaus, categories, tags, levels, overseas = (
        Counter(),
        Counter(),
        Counter(),
        Counter(),
        Counter(),
    )
    for evidence in members:
        bureaus[evidence.bureau] += 1 if evidence.bureau else 0
        categories[evidence.job_category] += 1 if evidence.job_category else 0
        tags.update(set(evidence.tags))
        english = evidence.languages.get("en")
        if english:
            levels[english["level"]] += 1
        overseas["yes" if evidence.overseas_countries else "no"] += 1
    return {
        "bureau": [(k, v) for k, v in bureaus.most_common() if k and v],
        "job_category": [(k, v) for k, v in categories.most_common() if k and v],
        "tag": tags.most_common(FACET_SIZE),
        "english_level": [(level, levels[level]) for level in CEFR_LEVELS if levels[level]],
        "overseas": [(k, overseas[k]) for k in ("yes", "no") if overseas[k]],
    }
