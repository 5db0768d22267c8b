"""Sample districts: 和泊町's twenty 大字, from a data file another town can replace."""

import csv
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from .models import Area

AREAS_FILE = Path(__file__).parent / "demo_data" / "wadomari_areas.csv"


def load(stdout: TextIO) -> None:
    with AREAS_FILE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        Area.objects.update_or_create(
            name=row["name"],
            defaults={
                "kana": row["kana"],
                "latitude": Decimal(row["latitude"]),
                "longitude": Decimal(row["longitude"]),
                "order": int(row["order"]),
            },
        )
    stdout.write(f"地区（大字）{len(rows)} 件を読み込みました。\n")
