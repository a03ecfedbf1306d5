"""Matching quality on the public evaluation set, in one process, for both back ends.

    .venv/bin/python benchmarks/match_quality.py [--search-url URL] [--queries] [--fresh]

Imports search/evaluation's 600 members into a SQLite file under var/benchmarks/ (once; --fresh
imports again), builds the OpenSearch index when --search-url names a node, and scores every
public query on each back end the same way the API does. --queries prints each query's nDCG and
whether both back ends agree on the top 10. It is the quick loop for tuning matching;
benchmarks/matching.py measures the same through gunicorn, plus latency at 12,000 members.
"""

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK = ROOT / "var" / "benchmarks"


def configure(search_url: str) -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="talenthub.settings.production",
        SECRET_KEY="benchmark-only-secret-key-0123456789abcdefghijklmnop",  # noqa: S106
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"sqlite:///{WORK / 'match-quality.sqlite3'}",
        TALENTHUB_VAR_DIR=str(WORK),
        SEARCH_INDEX_PREFIX="bench_quality",
        SEARCH_URL=search_url,
        TASK_BACKEND="immediate",
    )
    import django

    django.setup()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--search-url", default="")
    parser.add_argument("--queries", action="store_true", help="print every query")
    parser.add_argument("--fresh", action="store_true", help="import the members again")
    args = parser.parse_args()
    database = WORK / "match-quality.sqlite3"
    if args.fresh and database.exists():
        database.unlink()
    imported = database.exists()
    configure(args.search_url)

    from django.core.management import call_command

    from profiles.privacy import STAFF_AUDIENCE
    from search.backends import matcher_for
    from search.evaluation import scoring

    if not imported:
        call_command("migrate", verbosity=0)
        call_command("import_members", str(scoring.MEMBERS_FILE))
    backends = ["database"]
    if args.search_url:
        call_command("rebuild_match_index")
        backends.append("opensearch")

    reports, rankings = {}, {}
    for backend in backends:
        matcher = matcher_for(backend)
        rankings[backend] = {}

        def match(body, matcher=matcher, backend=backend):
            results = matcher.match(scoring_query(body, STAFF_AUDIENCE))
            ranked = [r.external_id for r in results]
            rankings[backend][body["text"]] = ranked
            return ranked

        reports[backend] = scoring.evaluate_with(match)
    print_report(reports, backends)
    if args.queries:
        print_queries(reports, rankings, backends)
    return 0


def scoring_query(body: dict, audience: str):
    from search.matching import LanguageRequirement, MatchQuery

    language = body.get("language")
    return MatchQuery(
        text=body["text"],
        tags=body["tags"],
        language=LanguageRequirement(language["language"], language["min_level"])
        if language
        else None,
        limit=body["limit"],
        audience=audience,
    )


def print_report(reports: dict, backends: list[str]) -> None:
    first = reports[backends[0]]
    rows = [("overall", ("overall",))]
    rows += [(f"query_lang={k}", ("by_query_lang", k)) for k in first["by_query_lang"]]
    rows += [(f"category={k}", ("by_category", k)) for k in first["by_category"]]
    print(f"{'segment':28}" + "".join(f"{b:>12}" for b in backends) + "   (nDCG@10)")
    for label, path in rows:
        values = []
        for backend in backends:
            node = reports[backend]
            for key in path:
                node = node[key]
            values.append(node["ndcg@10"])
        print(f"{label:28}" + "".join(f"{v:12.3f}" for v in values))


def print_queries(reports: dict, rankings: dict, backends: list[str]) -> None:
    from search.evaluation import scoring

    for query in scoring.load_queries():
        text = scoring.request_body(query)["text"]
        values = [reports[b]["per_query"][query["id"]]["ndcg@10"] for b in backends]
        same = len({tuple(rankings[b][text]) for b in backends}) == 1
        print(
            f"{query['id']} {query['category']:15}"
            + "".join(f"{v:7.3f}" for v in values)
            + ("" if same else "  top 10 differ")
            + f"  {query['title'][:50]}"
        )


if __name__ == "__main__":
    sys.exit(main())
