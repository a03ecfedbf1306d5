"""Time import_members on a fresh SQLite database (the embedded default).

    .venv/bin/python benchmarks/import_members.py --members 12000

Generates members from the public evaluation set (benchmarks/member_data.py), migrates a
throw-away database, imports the file twice (the second run must change nothing) and prints
the timings, with the time of each phase: reading and writing the rows, the site search and
reference indexes, the matching evidence.
"""

import argparse
import functools
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from member_data import write_members

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=12000)
    parser.add_argument("--file", type=Path, help="import this file instead of generating one")
    parser.add_argument("--run-import", type=Path, help=argparse.SUPPRESS)  # the timed child
    args = parser.parse_args()
    if args.run_import:
        return run_import_with_phase_timings(args.run_import)

    with tempfile.TemporaryDirectory(prefix="talenthub-bench-") as workdir:
        work = Path(workdir)
        members = args.file
        if members is None:
            members = write_members(work / "members.jsonl", args.members)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "talenthub.settings.dev",
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "TALENTHUB_VAR_DIR": str(work),
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)  # noqa: S603
        rows = sum(1 for line in members.open(encoding="utf-8") if line.strip())
        for label in ("first import", "second import (no changes)"):
            started = time.perf_counter()
            result = subprocess.run(  # noqa: S603
                [sys.executable, __file__, "--run-import", str(members)],
                env=env,
                check=False,
                capture_output=True,
                text=True,
            )
            elapsed = time.perf_counter() - started
            lines = result.stdout.strip().splitlines()
            summary = lines[0] if lines else result.stderr
            phases = next((line for line in lines if line.startswith("phases:")), "")
            print(
                f"{label}: {rows} rows in {elapsed:.1f} s ({rows / elapsed:.0f} rows/s) — {summary}"
                f"\n    {phases}"
            )
    return 0


def run_import_with_phase_timings(members: Path) -> int:
    """`manage.py import_members FILE` with the time spent in each phase printed at the end."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import execute_from_command_line

    from profiles import importing
    from search import sync

    # Wall-clock and CPU seconds: on a busy machine the CPU time is the steadier measure.
    timings: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])

    def timed(phase, function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                timings[phase][0] += time.perf_counter() - started
                timings[phase][1] += time.process_time() - cpu_started

        return wrapper

    importing.MemberImporter.import_rows = timed("rows", importing.MemberImporter.import_rows)
    importing.reindex_pages = timed("reindex", importing.reindex_pages)
    sync.sync_profiles = timed("evidence", sync.sync_profiles)
    try:
        execute_from_command_line(["manage.py", "import_members", str(members)])
    finally:
        phases = [
            ("rows (validation, pages)", "rows"),
            ("search and reference index", "reindex"),
            ("matching evidence", "evidence"),
        ]
        print(
            "phases: "
            + ", ".join(
                f"{label} {timings[key][0]:.1f} s (cpu {timings[key][1]:.1f} s)"
                for label, key in phases
            ),
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
