"""Member-index queries, built with elasticsearch-dsl from an analysed project.

The engine counts the corpus (one aggregation), then lists the candidates best first by the
same bound the database back end computes (search.ranking.score_bounds): each document holds
its member's concept and word strengths as rank features, and a linear rank_feature clause per
query concept adds weight × rarity × share × strength. search.ranking scores them exactly and
stops reading pages once nobody further down could enter the results.
"""

from elasticsearch_dsl import Q, Search

from .documents import feature_key
from .matching import AnalysedQuery, MatchQuery
from .ranking import QueryWeights

# Candidates read per request: the first page usually settles a top 10.
CANDIDATE_PAGE = 50
COUNTS = "counts"
# Rank features keep 9 significant bits, rounded either way: a score read back is within this
# share of the exact sum.
FEATURE_PRECISION = 2**-8


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


def build_candidate_search(weights: QueryWeights, query: MatchQuery, start: int = 0) -> Search:
    """One page of the members who mention a concept of the project (or, when it names
    none, one of its words), best bound first, ids and urls only."""
    finding = [
        _feature("concept_strengths", evidence_concept, factor * share)
        for concept, factor, shares in weights.positive
        for evidence_concept, share in ((concept, 1.0), *shares.items())
    ]
    words = [_feature("term_strengths", term, factor) for term, factor in weights.terms]
    if finding:
        # Words add to the bound of members the concepts found; they find nobody themselves.
        clause = Q("bool", must=[Q("bool", should=finding, minimum_should_match=1)], should=words)
    else:
        clause = Q("bool", should=words or [Q("match_none")], minimum_should_match=1)
    filters = [Q("term", **{key: value}) for key, value in (query.filters or {}).items() if value]
    search = Search().query(Q("bool", must=[clause], filter=filters))
    return search.extra(from_=start, size=CANDIDATE_PAGE, track_total_hits=False).source(["url"])


def _feature(field_name: str, name: str, boost: float) -> Q:
    return Q("rank_feature", field=f"{field_name}.{feature_key(name)}", linear={}, boost=boost)
