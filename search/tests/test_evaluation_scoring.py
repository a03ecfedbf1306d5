"""The evaluation scorer computes the metrics the evaluation set defines."""

import math

import pytest

from search.evaluation import scoring

GRADED = {"A": 3, "B": 2, "C": 1, "D": 2}


def test_a_perfect_ranking_scores_one_and_an_empty_one_zero():
    perfect = scoring.query_metrics(["A", "B", "D", "C"], GRADED)
    empty = scoring.query_metrics([], GRADED)

    assert perfect == {"ndcg@10": 1.0, "mrr": 1.0, "recall@10": 1.0, "rcap@10": 1.0}
    assert empty == {"ndcg@10": 0.0, "mrr": 0.0, "recall@10": 0.0, "rcap@10": 0.0}


def test_ndcg_uses_exponential_gain_and_log_discount():
    # Only C (grade 1) in first place, then an unjudged member, then A (grade 3).
    ranking = ["C", "X", "A"]
    dcg = 1 / math.log2(2) + 7 / math.log2(4)
    ideal = 7 / math.log2(2) + 3 / math.log2(3) + 3 / math.log2(4) + 1 / math.log2(5)

    assert scoring.ndcg(ranking, GRADED) == pytest.approx(dcg / ideal)
    assert scoring.reciprocal_rank(ranking, GRADED) == pytest.approx(1 / 3)  # C is below grade 2


def test_duplicates_count_once_and_only_the_top_ten_count():
    results = [{"external_id": "X"}] * 3 + [{"external_id": f"Y{i}"} for i in range(9)]
    results.append({"external_id": "A"})  # eleventh distinct member

    assert scoring.ranked_ids(results)[:2] == ["X", "Y0"]
    assert scoring.ndcg(scoring.ranked_ids(results), GRADED) == 0.0


def test_recall_capped_at_ten_relevant_members():
    many = {f"R{i}": 2 for i in range(20)}
    ranking = [f"R{i}" for i in range(10)]

    assert scoring.recall(ranking, many) == 0.5
    assert scoring.recall(ranking, many, capped=True) == 1.0


def test_the_bm25_baseline_scores_what_the_evaluation_set_published():
    """Published for this baseline: nDCG@10 0.327, MRR 0.543, Recall@10 0.217, R-cap@10 0.319;
    cross-lingual nDCG@10 0.028, Japanese queries 0.318."""
    report = scoring.baseline_report()

    overall = report["overall"]
    assert overall["n"] == 30
    assert round(overall["ndcg@10"], 3) == 0.327
    assert round(overall["mrr"], 3) == 0.543
    assert round(overall["recall@10"], 3) == 0.217
    assert round(overall["rcap@10"], 3) == 0.319
    assert round(report["by_category"]["cross_lingual"]["ndcg@10"], 3) == 0.028
    assert round(report["by_query_lang"]["ja"]["ndcg@10"], 3) == 0.318
    assert list(report["by_query_lang"]) == ["ja", "en", "mixed"]


def test_the_request_body_carries_text_tags_and_language():
    query = scoring.load_queries()[0]
    body = scoring.request_body(query)

    assert body["text"].startswith(query["title"]) and query["description"] in body["text"]
    assert body["tags"] == query["required_tags"] and body["limit"] == 10
    assert body["language"] == (query["language"] or None)
