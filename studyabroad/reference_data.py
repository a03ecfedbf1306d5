"""The curated technical classifications (技術分類) of exchange reports, seeded by migration."""

CLASSIFICATIONS = [
    ("上下水道", "Water supply and sewerage"),
    ("河川・水防", "Rivers and flood control"),
    ("道路・橋梁", "Roads and bridges"),
    ("港湾・海岸", "Ports and coasts"),
    ("都市計画・まちづくり", "Urban planning"),
    ("建築・営繕", "Architecture and building works"),
    ("交通", "Transport"),
    ("環境・廃棄物", "Environment and waste"),
    ("エネルギー・脱炭素", "Energy and decarbonisation"),
    ("防災・危機管理", "Disaster risk reduction"),
    ("公園・緑地", "Parks and green space"),
    ("機械・電気設備", "Mechanical and electrical plant"),
    ("化学・水質", "Chemistry and water quality"),
    ("情報通信・DX", "ICT and digital transformation"),
]


def seed_classifications(model) -> None:
    """Create the classifications that are missing (names already there are left alone)."""
    for order, (name_ja, name_en) in enumerate(CLASSIFICATIONS):
        model.objects.get_or_create(
            name_ja=name_ja, defaults={"name_en": name_en, "sort_order": order * 10}
        )
