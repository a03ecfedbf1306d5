"""The member index: mapping and analysis, written with elasticsearch-dsl.

Japanese text is analysed with kuromoji (base forms, full-width folding, stop words), English
with the English analyser, and each evidence field has a `concepts_*` twin holding glossary
concept ids once per mention, scored with BM25 without length normalisation (b = 0): the same
saturating count the database matcher uses.
"""

import hashlib

from elasticsearch_dsl import (
    Boolean,
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    Object,
    RankFeatures,
    Text,
    analyzer,
    token_filter,
    tokenizer,
)

from .evidence import EVIDENCE_FIELDS, Evidence, is_japanese

japanese = analyzer(
    "talenthub_japanese",
    tokenizer=tokenizer("talenthub_kuromoji", "kuromoji_tokenizer", mode="search"),
    filter=[
        "kuromoji_baseform",
        "kuromoji_part_of_speech",
        "cjk_width",
        "ja_stop",
        "kuromoji_stemmer",
        "lowercase",
    ],
)
english = analyzer(
    "talenthub_english",
    tokenizer="standard",
    filter=[
        token_filter("talenthub_english_possessive", "stemmer", language="possessive_english"),
        "lowercase",
        token_filter("talenthub_english_stop", "stop", stopwords="_english_"),
        token_filter("talenthub_english_stemmer", "stemmer", language="english"),
    ],
)
concept_analyzer = analyzer("talenthub_concepts", tokenizer="whitespace")

CONCEPT_SIMILARITY = {"talenthub_mentions": {"type": "BM25", "k1": 1.2, "b": 0}}
SEARCHED_FIELDS = tuple(f for f in EVIDENCE_FIELDS if f != "aspirations")


class MemberDocument(Document):
    """One live member and the evidence of their expertise."""

    external_id = Keyword()
    version = Integer()  # MemberEvidence.version it was built from: the reconciliation compares
    name_ja = Text(analyzer=japanese, fields={"raw": Keyword()})
    name_en = Text(analyzer=english, fields={"raw": Keyword()})
    url = Keyword(index=False)
    bureau = Keyword()
    job_category = Keyword()
    interested_in_dispatch = Boolean()
    overseas_countries = Keyword()
    language_ranks = Object(dynamic=True)  # {"en": 4}: CEFR as an ordinal, for range filters
    languages = Object(enabled=False)  # levels and scores as stored, for reasons
    surfaces = Object(enabled=False)  # the member's own words for each concept, for reasons
    as_of = Object(enabled=False)  # how old the evidence is, for reasons
    as_of_date = Date()  # the same as a date, for ranking fresher evidence higher
    report_labels = Object(enabled=False)  # which report names each concept, for reasons
    tags = Keyword()
    # The concepts and plain words of every field that counts: what the matcher's counts
    # (search.ranking.CorpusStats) and candidate search look up.
    concept_ids = Keyword()
    term_ids = Keyword()
    # The same with the member's strength in each (Evidence.concept_strength, term_strength),
    # keyed by feature_key: what candidate search ranks by (search.queries).
    concept_strengths = RankFeatures()
    term_strengths = RankFeatures()
    hidden_from_members = Keyword()  # evidence shared with managers only (profiles.privacy)

    # Per evidence field (search.evidence.FIELD_WEIGHTS): Japanese text, English text, concepts.
    tags_ja = Text(analyzer=japanese)
    tags_en = Text(analyzer=english)
    concepts_tags = Text(analyzer=concept_analyzer, similarity="talenthub_mentions")
    records_ja = Text(analyzer=japanese)
    records_en = Text(analyzer=english)
    concepts_records = Text(analyzer=concept_analyzer, similarity="talenthub_mentions")
    reports_ja = Text(analyzer=japanese)
    reports_en = Text(analyzer=english)
    concepts_reports = Text(analyzer=concept_analyzer, similarity="talenthub_mentions")
    bio_ja = Text(analyzer=japanese)
    bio_en = Text(analyzer=english)
    concepts_bio = Text(analyzer=concept_analyzer, similarity="talenthub_mentions")
    experience_ja = Text(analyzer=japanese)
    experience_en = Text(analyzer=english)
    concepts_experience = Text(analyzer=concept_analyzer, similarity="talenthub_mentions")
    aspirations_ja = Text(analyzer=japanese)
    aspirations_en = Text(analyzer=english)
    concepts_aspirations = Text(analyzer=concept_analyzer, similarity="talenthub_mentions")

    class Index:
        settings = {
            "number_of_shards": 1,
            "number_of_replicas": 0,
            "similarity": CONCEPT_SIMILARITY,
        }


def feature_key(name: str) -> str:
    """A rank feature's name for a concept or word: feature names may not hold dots (a curated
    tag may), so every name is hashed the same short way."""
    return hashlib.blake2s(name.encode(), digest_size=8).hexdigest()


def index_body() -> dict:
    """Settings and mappings for a new concrete member index."""
    index = Index("template")
    index.settings(**MemberDocument.Index.settings)
    index.document(MemberDocument)
    body = index.to_dict()
    body["mappings"]["dynamic_templates"] = [
        {"language_ranks": {"path_match": "language_ranks.*", "mapping": {"type": "integer"}}}
    ]
    return body


def document_from_evidence(profile_id: int, url: str, data: dict, version: int) -> dict:
    """The JSON source of one member document, built from stored evidence."""
    evidence = Evidence.from_dict(data)
    source: dict = {
        "external_id": data["external_id"],
        "version": version,
        "name_ja": data["name_ja"],
        "name_en": data["name_en"],
        "url": url,
        "bureau": data["bureau"],
        "job_category": data["job_category"],
        "interested_in_dispatch": data["interested_in_dispatch"],
        "overseas_countries": data["overseas_countries"],
        "language_ranks": {code: entry["rank"] for code, entry in data["languages"].items()},
        "languages": data["languages"],
        "surfaces": data["surfaces"],
        "as_of": data.get("as_of"),
        "as_of_date": f"{data['as_of']['month']}-01" if data.get("as_of") else None,
        "report_labels": data.get("report_labels", {}),
        "tags": data["texts"]["tags"],
        "concept_ids": sorted(evidence.counted_concepts),
        "term_ids": sorted(evidence.counted_terms),
        "concept_strengths": _features(evidence.concept_strength),
        "term_strengths": _features(evidence.term_strength),
        "hidden_from_members": data.get("hidden_from_members", []),
    }
    for name in EVIDENCE_FIELDS:
        items = data["texts"][name]
        source[f"{name}_ja"] = "\n".join(item for item in items if is_japanese(item))
        source[f"{name}_en"] = "\n".join(item for item in items if not is_japanese(item))
        counts = data["concepts"].get(name, {})
        source[f"concepts_{name}"] = " ".join(
            concept for concept, count in sorted(counts.items()) for _ in range(count)
        )
    return source


def _features(strengths: dict[str, float]) -> dict[str, float]:
    return {feature_key(name): value for name, value in strengths.items() if value > 0}
