"""Run the shared evaluation kit (shared/eval) against the matching API in a test."""

import importlib.util
import json
from pathlib import Path

EVAL_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "eval"
BASELINE_NDCG = json.loads((EVAL_DIR / "scores_bm25.json").read_text())["overall"]["ndcg@10"]


def load_scorer():
    """The kit's own score.py, so the test measures exactly what the kit measures."""
    spec = importlib.util.spec_from_file_location("talenthub_eval_score", EVAL_DIR / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def evaluate_api(client, **headers) -> dict:
    """POST every public query to /api/v1/match/ and score the rankings."""
    score = load_scorer()
    queries = score.load_queries(EVAL_DIR / "queries.jsonl")
    qrels = score.load_qrels(EVAL_DIR / "qrels.json")
    runs = {}
    for query in queries:
        response = client.post(
            "/api/v1/match/",
            data=json.dumps(score.request_body(query)),
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 200, response.content
        runs[str(query["id"])] = response.json()["results"]
    return score.evaluate(queries, qrels, runs)
