"""Member-index queries, built with elasticsearch-dsl from an analysed project.

The engine counts the corpus (one aggregation), then finds the candidates; search.ranking
scores them. The query's
own score only decides which members are candidates, so it mirrors the core's sum (concept
weight × field weight, BM25 on the concept fields) closely enough that the best members are
always among the first CANDIDATES.
"""

from elasticsearch_dsl import Q, Search

from profiles.privacy import MEMBERS_AUDIENCE

from .documents import SEARCHED_FIELDS
from .evidence import FIELD_WEIGHTS
from .matching import TEXT_WEIGHT, AnalysedQuery, MatchQuery
from .ranking import CorpusStats, finding_terms

# Enough candidates that the core's top 50 is among them, few enough to load quickly.
CANDIDATES = 150
COUNTS = "counts"
TYPICAL_TERM_STRENGTH = 2.0


def _visible(field_name: str, clause, audience: str):
    """The clause, limited to members who share this field with the audience asking."""
    if audience != MEMBERS_AUDIENCE or field_name == "tags":
        return clause
    return Q("bool", must=[clause], must_not=[Q("term", hidden_from_members=field_name)])


def _concept_clauses(concept: str, boost: float, audience: str) -> list:
    return [
        _visible(
            field_name,
            Q(
                "term",
                **{
                    f"concepts_{field_name}": {
                        "value": concept,
                        "boost": round(boost * FIELD_WEIGHTS[field_name], 4),
                    }
                },
            ),
            audience,
        )
        for field_name in SEARCHED_FIELDS
    ]


def count_keys(analysed: AnalysedQuery) -> dict[str, dict]:
    """One filter per concept and plain word of the query: how many members mention it."""
    filters = {
        f"c|{concept}": Q("terms", concept_ids=list(family))
        for concept, family in analysed.families.items()
    }
    filters.update({f"t|{term}": Q("term", term_ids=term) for term in analysed.terms})
    return filters


def build_count_search(analysed: AnalysedQuery) -> Search:
    """How many members there are and how many mention each concept and word of the query."""
    search = Search().extra(size=0, track_total_hits=False)
    search.aggs.bucket(COUNTS, "global").bucket(
        "keys", "filters", filters={k: v.to_dict() for k, v in count_keys(analysed).items()}
    )
    return search


def build_candidate_search(
    analysed: AnalysedQuery, query: MatchQuery, stats: CorpusStats
) -> Search:
    """The members who mention a concept of the project or one of its words that is not too
    common (as search.database_matching finds them), best first, ids only."""
    should = []
    for concept, weight in analysed.positive.items():
        should += _concept_clauses(concept, weight, query.audience)
        for evidence_concept, share in analysed.expansions[concept].items():
            should += _concept_clauses(evidence_concept, weight * share, query.audience)
    # A keyword field scores idf × boost; the core multiplies by the member's mentions too,
    # typically about two.
    should += [
        Q("term", term_ids={"value": term, "boost": TEXT_WEIGHT * weight * TYPICAL_TERM_STRENGTH})
        for term in finding_terms(analysed, stats)
        for weight in [analysed.terms[term]]
    ]
    filters = [Q("term", **{key: value}) for key, value in (query.filters or {}).items() if value]
    search = Search().query(
        Q("bool", should=should or [Q("match_none")], minimum_should_match=1, filter=filters)
    )
    return search.extra(size=CANDIDATES, track_total_hits=False).source(["url"])
