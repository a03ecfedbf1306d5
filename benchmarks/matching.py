"""Matching quality and speed on both backends, side by side.

    .venv/bin/python benchmarks/matching.py [--members 12000] [--requests 300]

1. Imports the public evaluation set (search/evaluation) into a throw-away SQLite database,
   serves it twice with gunicorn on loopback — once with SEARCH_URL (OpenSearch), once without (the
   database matcher) — and scores each with search/evaluation/scoring.py.
2. Imports N generated members (benchmarks/member_data.py) into a second database and times the
   matching API on both backends: p50/p95 over repeated public queries.

OpenSearch is started with bin/opensearch on port 9260 unless --search-url names a node.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from member_data import write_members

from search.evaluation import scoring

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def run(*args, env=None, quiet=True):
    return subprocess.run(  # noqa: S603 - our own tools with fixed arguments
        [*map(str, args)],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if quiet else None,
        stderr=subprocess.STDOUT if quiet else None,
    ).stdout


def site_env(work: Path, name: str, search_url: str | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"SEARCH_URL", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="talenthub.settings.production",
        SECRET_KEY="benchmark-only-secret-key-0123456789abcdefghijklmnop",  # noqa: S106
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=f"sqlite:///{work / (name + '.sqlite3')}",
        TALENTHUB_VAR_DIR=str(work),
        SEARCH_INDEX_PREFIX=f"bench_{name}",
        # One caller sends every timed request: the API's per-caller limit would refuse them.
        API_RATE_LIMIT="100000/min",
    )
    if search_url:
        env["SEARCH_URL"] = search_url
    return env


def prepare(work: Path, name: str, members: Path, search_url: str) -> str:
    """Migrate, import, build the engine index; returns a manager's API token."""
    env = site_env(work, name, search_url)
    run(PYTHON, "manage.py", "migrate", "-v0", env=env)
    run(PYTHON, "manage.py", "collectstatic", "--noinput", "-v0", env=env)
    started = time.perf_counter()
    output = run(PYTHON, "manage.py", "import_members", members, env=env).splitlines()
    summary = next((line for line in output if line.startswith("created")), "?")
    print(f"  [{name}] import: {summary} (wall {time.perf_counter() - started:.0f} s)")
    run(PYTHON, "manage.py", "rebuild_match_index", env=env)
    run(
        PYTHON,
        "manage.py",
        "shell",
        "-c",
        "from profiles.models import User; from django.contrib.auth.models import Group;"
        "u,_=User.objects.get_or_create(email='bench.manager@example.jp');"
        "u.groups.add(Group.objects.get(name='Managers'))",
        env=env,
    )
    return run(PYTHON, "manage.py", "create_api_token", "bench.manager@example.jp", env=env).strip()


class Server:
    """gunicorn on a loopback port, stopped on exit."""

    def __init__(self, env: dict, port: int):
        self.url = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen(  # noqa: S603
            [
                PYTHON,
                "-m",
                "gunicorn",
                "talenthub.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                "2",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        for _attempt in range(100):
            try:
                urllib.request.urlopen(self.url + "/api/v1/schema/", timeout=1)  # noqa: S310
                return
            except urllib.error.HTTPError:
                return  # answering (401: the schema needs a session)
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def match(url: str, token: str, body: dict) -> tuple[float, dict]:
    request = urllib.request.Request(  # noqa: S310 - loopback only
        url + "/api/v1/match/",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        payload = json.load(response)
    return (time.perf_counter() - started) * 1000, payload


def score(url: str, token: str) -> dict:
    return scoring.evaluate_with(scoring.HttpMatcher(url, token))


def latencies(url: str, token: str, requests: int) -> tuple[list[float], str]:
    bodies = [scoring.request_body(query) for query in scoring.load_queries()]
    for body in bodies[:5]:
        match(url, token, body)  # warm-up
    timings, backend = [], ""
    for i in range(requests):
        elapsed, payload = match(url, token, bodies[i % len(bodies)])
        timings.append(elapsed)
        backend = payload["backend"]
    return timings, backend


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=12000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--search-url", default="")
    args = parser.parse_args()

    search_url = args.search_url
    if not search_url:
        run(ROOT / "bin" / "opensearch", "start", "9260")
        search_url = "http://127.0.0.1:9260"
    with tempfile.TemporaryDirectory(prefix="talenthub-match-bench-") as tmp:
        work = Path(tmp)
        print("Public set (600 members): quality")
        token = prepare(work, "public", scoring.MEMBERS_FILE, search_url)
        reports = {}
        for backend, port, url in (("opensearch", 8101, search_url), ("database", 8102, None)):
            server = Server(site_env(work, "public", url), port)
            try:
                reports[backend] = score(server.url, token)
            finally:
                server.stop()
        print(f"\n{'segment':28} {'OpenSearch':>12} {'database':>12}   (nDCG@10)")
        rows = [("overall", ("overall",))]
        rows += [
            (f"query_lang={k}", ("by_query_lang", k))
            for k in reports["opensearch"]["by_query_lang"]
        ]
        rows += [
            (f"category={k}", ("by_category", k)) for k in reports["opensearch"]["by_category"]
        ]
        for label, path in rows:
            values = []
            for backend in ("opensearch", "database"):
                node = reports[backend]
                for key in path:
                    node = node[key]
                values.append(node["ndcg@10"])
            print(f"{label:28} {values[0]:12.3f} {values[1]:12.3f}")

        print(f"\nGenerated set ({args.members} members): latency of POST /api/v1/match/")
        generated = write_members(work / "generated.jsonl", args.members)
        token = prepare(work, "large", generated, search_url)
        print(f"\n{'backend':12} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8}")
        for backend, port, url in (("opensearch", 8103, search_url), ("database", 8104, None)):
            server = Server(site_env(work, "large", url), port)
            try:
                timings, answered_by = latencies(server.url, token, args.requests)
            finally:
                server.stop()
            if answered_by != backend:
                raise RuntimeError(f"expected answers from {backend}, got {answered_by}")
            print(
                f"{backend:12} {len(timings):9} {statistics.median(timings):8.1f} "
                f"{percentile(timings, 95):8.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
