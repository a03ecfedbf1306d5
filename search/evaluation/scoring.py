"""Score rankings of the matching API against graded judgements.

    .venv/bin/python -m search.evaluation.scoring --base-url http://127.0.0.1:8000 --token TOKEN

Metrics over the top 10 members, as the evaluation set defines them: nDCG@10 (gain
2^grade - 1, the ideal built from every judged member), MRR (first member graded >= 2),
Recall@10 (graded >= 2 found / all graded >= 2) and R-cap@10 (the same over
min(10, #graded >= 2)), reported overall, per query language and per category.
"""

import argparse
import json
import math
import sys
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
MEMBERS_FILE = DATA_DIR / "members.jsonl"
QUERIES_FILE = DATA_DIR / "queries.jsonl"
QRELS_FILE = DATA_DIR / "qrels.json"
BASELINE_RESULTS_FILE = DATA_DIR / "bm25_baseline_results.json"

CUTOFF = 10
RELEVANT_GRADE = 2
METRICS = ("ndcg@10", "mrr", "recall@10", "rcap@10")
LANGUAGE_ORDER = ("ja", "en", "mixed")


def read_json_lines(path: Path) -> list[dict]:
    """One JSON object per non-blank line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_queries(path: Path = QUERIES_FILE) -> list[dict]:
    return read_json_lines(path)


def load_judgements(path: Path = QRELS_FILE) -> dict[str, dict[str, int]]:
    """{query id: {external id: grade}}; members absent from a query are grade 0."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    return {
        str(query): {str(m): int(g) for m, g in graded.items()} for query, graded in raw.items()
    }


def request_body(query: dict, limit: int = CUTOFF) -> dict:
    """What the matching API receives for one project query."""
    return {
        "text": f"{query.get('title', '')}\n{query.get('description', '')}",
        "tags": list(query.get("required_tags") or []),
        "language": query.get("language") or None,
        "limit": limit,
    }


def ranked_ids(results: Iterable) -> list[str]:
    """External ids in rank order, each once; results may be ids or API result objects."""
    seen: dict[str, None] = {}
    for item in results or []:
        external_id = item.get("external_id") if isinstance(item, dict) else item
        if external_id is not None:
            seen.setdefault(str(external_id), None)
    return list(seen)


def discounted_gain(grades: Iterable[int]) -> float:
    return sum((2**grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(grades))


def ndcg(ranking: list[str], graded: dict[str, int]) -> float:
    ideal = discounted_gain(sorted((g for g in graded.values() if g > 0), reverse=True)[:CUTOFF])
    if not ideal:
        return 0.0
    return discounted_gain(graded.get(m, 0) for m in ranking[:CUTOFF]) / ideal


def reciprocal_rank(ranking: list[str], graded: dict[str, int]) -> float:
    for rank, member in enumerate(ranking[:CUTOFF], start=1):
        if graded.get(member, 0) >= RELEVANT_GRADE:
            return 1 / rank
    return 0.0


def recall(ranking: list[str], graded: dict[str, int], *, capped: bool = False) -> float:
    relevant = {m for m, g in graded.items() if g >= RELEVANT_GRADE}
    if not relevant:
        return 0.0
    found = len(relevant.intersection(ranking[:CUTOFF]))
    return found / (min(CUTOFF, len(relevant)) if capped else len(relevant))


def query_metrics(ranking: list[str], graded: dict[str, int]) -> dict[str, float]:
    return {
        "ndcg@10": ndcg(ranking, graded),
        "mrr": reciprocal_rank(ranking, graded),
        "recall@10": recall(ranking, graded),
        "rcap@10": recall(ranking, graded, capped=True),
    }


def mean_metrics(rows: list[dict]) -> dict:
    summary = {"n": len(rows)}
    for metric in METRICS:
        summary[metric] = sum(row[metric] for row in rows) / len(rows) if rows else 0.0
    return summary


def evaluate(
    queries: list[dict], judgements: dict[str, dict[str, int]], runs: dict[str, Iterable]
) -> dict:
    """Per-query metrics and their means overall, by query language and by category.

    Queries without any member graded >= 2 cannot be scored and are left out."""
    per_query = {}
    for query in queries:
        query_id = str(query["id"])
        graded = judgements.get(query_id, {})
        if not any(grade >= RELEVANT_GRADE for grade in graded.values()):
            continue
        row = query_metrics(ranked_ids(runs.get(query_id, [])), graded)
        row["query_lang"] = query.get("query_lang") or "unknown"
        row["category"] = query.get("category") or "uncategorised"
        per_query[query_id] = row

    def grouped(key: str, order: Iterable[str] = ()) -> dict:
        groups: dict[str, list[dict]] = {}
        for row in per_query.values():
            groups.setdefault(row[key], []).append(row)
        names = [n for n in order if n in groups] + sorted(set(groups) - set(order))
        return {name: mean_metrics(groups[name]) for name in names}

    return {
        "overall": mean_metrics(list(per_query.values())),
        "by_query_lang": grouped("query_lang", LANGUAGE_ORDER),
        "by_category": grouped("category"),
        "per_query": per_query,
    }


def evaluate_with(match: Callable[[dict], list], queries: list[dict] | None = None) -> dict:
    """Score a matcher given as `match(request body) -> results` on the public set."""
    queries = load_queries() if queries is None else queries
    runs = {str(query["id"]): match(request_body(query)) for query in queries}
    return evaluate(queries, load_judgements(), runs)


def baseline_report() -> dict:
    """The plain BM25 baseline's rankings (no synonyms, no language rule), scored."""
    runs = json.loads(BASELINE_RESULTS_FILE.read_text(encoding="utf-8"))
    return evaluate(load_queries(), load_judgements(), runs)


@dataclass
class HttpMatcher:
    """POSTs to a running site's /api/v1/match/ with an API token."""

    base_url: str
    token: str
    timeout: float = 30.0

    def __call__(self, body: dict) -> list:
        request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own site
            self.base_url.rstrip("/") + "/api/v1/match/",
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return json.load(response)["results"]


def format_report(report: dict) -> str:
    header = f"{'segment':<26}{'n':>4}" + "".join(f"{m:>11}" for m in METRICS)
    lines = [header, "-" * len(header)]
    segments = [("overall", report["overall"])]
    segments += [(f"query_lang={k}", v) for k, v in report["by_query_lang"].items()]
    segments += [(f"category={k}", v) for k, v in report["by_category"].items()]
    for name, summary in segments:
        values = "".join(f"{summary[m]:>11.3f}" for m in METRICS)
        lines.append(f"{name:<26}{summary['n']:>4}{values}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score a running site's matching API.")
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8000")
    parser.add_argument("--token", required=True, help="an API token (create_api_token)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    report = evaluate_with(HttpMatcher(args.base_url, args.token))
    print(format_report(report))  # noqa: T201 - a command-line report
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
