"""How long a town's 5,000-row directory CSV takes to dry-run and to import.

Run: ``.venv/bin/python -m pytest tests/benchmarks/test_import_bench.py -s -p no:cacheprovider``
(BENCH_IMPORT_ROWS=500 for a quicker look). Prints the times and holds the dry run and the
import to issue 17's budget; the tree is checked afterwards.

Measured 2026-12-04 on the shared 2-core machine (SQLite, load average ≈ 5): before the bulk
path, 500 rows took 21 s to dry-run and 50 s to import (5,000: 403 s and 796 s in the issue);
with it, 5,000 rows take 11 s and 18 s (reference index included), an unchanged re-import 9 s;
on PostgreSQL 10 s and 33 s.
"""

from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Page

from resources.models import ActivityPage
from tests.resources.factories import AreaFactory, TermFactory, directory_page
from tests.resources.test_import_directory import csv_text

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", 5_000))
BUDGET_SECONDS = 60  # issue 17: 5,000 listings, dry run and import each
DAYS = "月火水木金土日"


def rows(count: int) -> list[dict[str, str]]:
    """Activities at one place in ten, run by one operator in fifty, like a real town's list."""
    return [
        {
            "活動ID": f"A-{n:05d}",
            "活動名": f"活動{n}（サロン）",
            "概要": f"第{n}番目の活動です。\n誰でも参加できます。",
            "曜日": DAYS[n % 7],
            "開始時刻": "10:00",
            "終了時刻": "11:30",
            "対象": "どなたでも",
            "タグ": "料理" if n % 2 else "体操",
            "場所ID": f"P-{n // 10:04d}",
            "場所名": f"公民館{n // 10}",
            "地区": "喜美留" if (n // 10) % 3 else "和泊",
            "団体ID": f"O-{n // 50:03d}",
            "団体名": f"団体{n // 50}",
            "団体種別": "自治会・集落",
        }
        for n in range(count)
    ]


@pytest.mark.django_db(transaction=True)
def test_import_5000_rows(tmp_path: Path):
    directory_page()
    AreaFactory(name="喜美留", kana="きびる")
    AreaFactory(name="和泊", kana="わどまり")
    TermFactory(name="料理", slug="cooking")
    TermFactory(name="体操", slug="exercise")
    path = tmp_path / "directory.csv"
    path.write_text(csv_text(*rows(ROWS)), encoding="utf-8")
    timings = {}
    for mode in ("--dry-run", "--live"):
        start = time.perf_counter()
        call_command("import_directory", str(path), mode, stdout=StringIO(), stderr=StringIO())
        timings[mode] = time.perf_counter() - start
    start = time.perf_counter()
    call_command("import_directory", str(path), "--live", stdout=StringIO(), stderr=StringIO())
    timings["re-import"] = time.perf_counter() - start
    print(  # noqa: T201 - a benchmark reports its numbers
        f"\n{ROWS} rows: dry-run {timings['--dry-run']:.1f} s, import {timings['--live']:.1f} s,"
        f" unchanged re-import {timings['re-import']:.1f} s"
    )
    assert ActivityPage.objects.live().count() == ROWS
    assert Page.find_problems() == ([], [], [], [], [])
    assert timings["--dry-run"] <= BUDGET_SECONDS
    assert timings["--live"] <= BUDGET_SECONDS
