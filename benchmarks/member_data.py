"""Member files of any size for the benchmarks, built from the public evaluation set.

Each generated member takes the fields of several public members at random (expertise from
one, biographies from another, experience and records from a third), so a large file has the
public set's mix of Japanese and English text without repeating any one profile exactly.
"""

import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.evaluation.scoring import MEMBERS_FILE, read_json_lines  # noqa: E402

MIXED_FIELDS = (
    ("expertise",),
    ("bio_ja", "bio_en"),
    ("overseas_experience", "exchange_records"),
    ("languages",),
    ("bureau", "job_category", "position", "years_of_service", "interested_in_dispatch"),
)


def generated_members(count: int, seed: int = 7) -> list[dict]:
    """`count` members with ids B00001… and unique emails, mixed from the public members."""
    public = read_json_lines(MEMBERS_FILE)
    rng = random.Random(seed)
    members = []
    for number in range(1, count + 1):
        base = public[(number - 1) % len(public)]
        member = dict(base)
        for fields in MIXED_FIELDS:
            donor = rng.choice(public)
            member.update({field: donor[field] for field in fields})
        member["external_id"] = f"B{number:05d}"
        member["email"] = f"bench.member{number:05d}@example.jp"
        members.append(member)
    return members


def write_members(path: Path, count: int, seed: int = 7) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for member in generated_members(count, seed):
            handle.write(json.dumps(member, ensure_ascii=False) + "\n")
    return path
