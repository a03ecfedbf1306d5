"""Time import_exchange_records on a fresh SQLite database (the embedded default).

    .venv/bin/python benchmarks/import_exchange_records.py --records 330

Imports 300 generated members (benchmarks/member_data.py), writes a records CSV in the shape of
the exchange records database (three years, 1–3 participants each, some without a profile),
imports it twice (the second run must change nothing) and prints the timings.
"""

import argparse
import csv
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from member_data import write_members

ROOT = Path(__file__).resolve().parent.parent
TOPICS = [
    ("下水道管きょ更生", "上下水道", "NL"),
    ("浸水対策と雨水貯留", "河川・水防", "DE"),
    ("長大橋の維持管理", "道路・橋梁", "US"),
    ("港湾の脱炭素化", "港湾・海岸", "SG"),
    ("スマートシティ推進", "情報通信・DX", "GB"),
    ("廃棄物発電", "環境・廃棄物", "FR"),
]


def write_records(path: Path, member_ids: list[str], count: int) -> None:
    rng = random.Random(2026)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["record_id", "title", "classification", "country", "host_organisation",
             "start_date", "end_date", "participants", "outcomes", "utilisation_plan", "tags"]
        )  # fmt: skip
        for number in range(count):
            topic, classification, country = rng.choice(TOPICS)
            start = datetime.date(2023, 4, 1) + datetime.timedelta(days=rng.randrange(1095))
            people = rng.sample(member_ids, rng.randint(1, 3))
            if rng.random() < 0.2:
                people.append("外部 参加者")
            writer.writerow(
                [f"EX-{number:04d}", f"{topic}調査 {number}", classification, country,
                 "Host Organisation", start.isoformat(),
                 (start + datetime.timedelta(days=7)).isoformat(), ";".join(people),
                 f"{topic}の事例と運用を調査した。", "事業計画と設計基準に反映する。", topic]
            )  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=330)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="talenthub-bench-") as workdir:
        work = Path(workdir)
        members = write_members(work / "members.jsonl", 300)
        member_ids = [json.loads(line)["external_id"] for line in members.open(encoding="utf-8")]
        records = work / "records.csv"
        write_records(records, member_ids, args.records)
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "talenthub.settings.dev",
            "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
            "TALENTHUB_VAR_DIR": str(work),
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [*manage, "import_members", str(members)], env=env, check=True, capture_output=True
        )
        for label in ("first import", "second import (no changes)"):
            started = time.perf_counter()
            result = subprocess.run(  # noqa: S603
                [*manage, "import_exchange_records", str(records)],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            elapsed = time.perf_counter() - started
            print(f"{label}: {args.records} records in {elapsed:.1f} s — {result.stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
