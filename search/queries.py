"""Member-index queries, built with elasticsearch-dsl from an analysed project."""

import re

from elasticsearch_dsl import Q, Search

from profiles.privacy import MEMBERS_AUDIENCE

from .documents import SEARCHED_FIELDS
from .evidence import FIELD_WEIGHTS
from .matching import STALE_EVIDENCE_STEPS, AnalysedQuery, MatchQuery

# Words the glossary does not know still count, for much less (as in the database matcher).
TEXT_BOOST = 0.25
NEGATED_CONCEPT_FACTOR = 0.5
# Enough candidates to re-rank by language tier, few enough to keep responses small.
CANDIDATES = 30

_CJK_SEGMENT = re.compile(r"[^\x00-\x7f]+")


def split_by_script(text: str) -> tuple[str, str]:
    """(Japanese part, English part) of a mixed text, for the analyser of each language."""
    japanese = " ".join(_CJK_SEGMENT.findall(text))
    english = _CJK_SEGMENT.sub(" ", text)
    return japanese.strip(), english.strip()


def concept_clause_name(field_name: str, concept: str) -> str:
    return f"{field_name}|{concept}"


def _visible(field_name: str, clause, audience: str):
    """The clause, limited to members who share this field with the audience asking."""
    if audience != MEMBERS_AUDIENCE or field_name == "tags":
        return clause
    return Q("bool", must=[clause], must_not=[Q("term", hidden_from_members=field_name)])


def build_match_search(analysed: AnalysedQuery, query: MatchQuery) -> Search:
    """A bool query: one named clause per (concept, evidence field), plus the plain words."""
    should = []
    for concept, weight in analysed.positive.items():
        for field_name in SEARCHED_FIELDS:
            should.append(
                _visible(
                    field_name,
                    Q(
                        "term",
                        **{
                            f"concepts_{field_name}": {
                                "value": concept,
                                "boost": round(weight * FIELD_WEIGHTS[field_name], 4),
                                "_name": concept_clause_name(field_name, concept),
                            }
                        },
                    ),
                    query.audience,
                )
            )
    japanese, english = split_by_script(analysed.text)
    if japanese:
        should += _words(japanese, "ja", query.audience)
    if english:
        should += _words(english, "en", query.audience)
    query_clause = Q("bool", should=should, minimum_should_match=1)
    negated = [c for c, w in analysed.concepts.items() if w < 0]
    if negated:
        query_clause = Q(
            "boosting",
            positive=query_clause,
            negative=Q(
                "bool",
                should=[
                    Q("term", **{f"concepts_{field_name}": concept})
                    for concept in negated
                    for field_name in SEARCHED_FIELDS
                ],
            ),
            negative_boost=NEGATED_CONCEPT_FACTOR,
        )
    query_clause = Q(
        "function_score",
        query=query_clause,
        functions=[
            {"filter": Q("range", as_of_date={"lt": f"now-{months}M/M"}), "weight": factor}
            for months, factor in STALE_EVIDENCE_STEPS
        ],
        # The oldest step alone applies to the oldest evidence (`first` in step order).
        score_mode="first",
        boost_mode="multiply",
    )
    filters = [Q("term", **{key: value}) for key, value in (query.filters or {}).items() if value]
    search = Search().query(Q("bool", must=[query_clause], filter=filters))
    search = search.extra(size=max(query.limit * 3, CANDIDATES), track_total_hits=False)
    return search.source(
        [
            "external_id",
            "version",  # compared with the database's (OpenSearchMemberIndex.match)
            "name_ja",
            "name_en",
            "url",
            "languages",
            "surfaces",
            "hidden_from_members",
            "as_of",
            "report_labels",
        ]
    )


def build_highlight_search(
    analysed: AnalysedQuery, document_ids: list[str], audience: str
) -> Search:
    """The project's plain words highlighted in a few members' text, for their reasons.

    Highlighting costs more than the search itself, so it runs only for the members whose
    match no glossary concept explains."""
    japanese, english = split_by_script(analysed.text)
    words = [
        clause
        for text, lang in ((japanese, "ja"), (english, "en"))
        if text
        for clause in _words(text, lang, audience)
    ]
    search = Search().query(Q("bool", should=words, filter=[Q("ids", values=document_ids)]))
    search = search.extra(size=len(document_ids)).source(False)
    return search.highlight(
        *[f"{f}_{lang}" for f in SEARCHED_FIELDS for lang in ("ja", "en")],
        fragment_size=60,
        number_of_fragments=1,
        pre_tags=["\u0001"],
        post_tags=["\u0002"],
    )


def _words(text: str, language: str, audience: str) -> list:
    """The project's plain words in each evidence field (summed, like most_fields)."""
    return [
        _visible(
            name,
            Q(
                "match",
                **{
                    f"{name}_{language}": {
                        "query": text,
                        "boost": round(TEXT_BOOST * FIELD_WEIGHTS[name], 4),
                        "_name": f"text_{language}",
                    }
                },
            ),
            audience,
        )
        for name in SEARCHED_FIELDS
    ]
