"""Time import_members on a fresh SQLite database (the embedded default).

    .venv/bin/python benchmarks/import_members.py --members 12000

Generates members from the public evaluation set (benchmarks/member_data.py), migrates a
throw-away database, imports the file twice (the second run must change nothing) and prints
the timings.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from member_data import write_members

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=12000)
    parser.add_argument("--file", type=Path, help="import this file instead of generating one")
    args = parser.parse_args()

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
                [*manage, "import_members", str(members)],
                env=env,
                check=False,
                capture_output=True,
                text=True,
            )
            elapsed = time.perf_counter() - started
            summary = result.stdout.strip().splitlines()[0] if result.stdout else result.stderr
            print(
                f"{label}: {rows} rows in {elapsed:.1f} s ({rows / elapsed:.0f} rows/s) — {summary}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
