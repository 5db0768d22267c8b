"""import_clients on 2,000 clients with consent and support-plan columns, as a town moving from
Excel brings them: terms by synonym, 和暦 dates, every row with a consent record and a plan.

Run alone (-s shows the times):
.venv/bin/python -m pytest tests/benchmarks/test_clients_import_bench.py -q -s -p no:logging
Reported (the issue asks for the time): a dry run, the import, and importing the same file again
(which adds no consent or plan record).

Measured 2026-12-03 on the shared 2-core machine under load (load average ≈ 10, SQLite): dry run
344 s, import 376 s, the same file again 98 s — about 0.19 s a client with its consent and plan.
Profiled (issue 17): half of it was the audit log, each entry saved alone with its own
foreign-key queries, and a third the term links set one client and column at a time; both are
one insert now. 2026-12-04, load average ≈ 5: before 43 s, 47 s and 33 s; after 18 s, 17 s and
21 s.
"""

import io
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from matching.models import Client, Consent, SupportPlan
from tests.matching.factories import TeamFactory
from tests.resources.factories import AreaFactory, TermFactory

N_CLIENTS = 2_000
HEADER = (
    "外部ID,氏名,ふりがな,生年,性別,分野,地区,関心,必要な支援,配慮,参加できる時間,送迎が必要,"
    "状況,受付日,同意,同意日,同意の方法,同意の範囲,支援計画の目標,支援内容,支援会議の日,"
    "会議の参加機関,見直し予定日"
)

pytestmark = pytest.mark.django_db


def report(line: str) -> None:
    sys.stdout.write(line + "\n")


@pytest.fixture
def clients_file(tmp_path: Path) -> Path:
    for n, (name, kana) in enumerate((("和泊", "わどまり"), ("内城", "うちじろ"))):
        AreaFactory(name=name, kana=kana, order=n)
    TermFactory(name="農作業", kind="interest", synonyms="畑仕事")
    TermFactory(name="三線", kana="さんしん", kind="interest")
    TermFactory(name="居場所", kind="need")
    TermFactory(name="車いす", kind="accommodation", synonyms="車椅子")
    rows = [HEADER]
    for n in range(N_CLIENTS):
        area = "和泊" if n % 2 else "うちじろ"
        accommodation = "車椅子" if n % 3 else ""
        pickup = "○" if n % 5 == 0 else "×"
        rows.append(
            f"B-{n:05d},ベンチ 花子{n},べんち はなこ,{1940 + n % 40},女性,高齢,{area},"
            f"畑仕事、サンシン,居場所,{accommodation},水朝、金昼,{pickup},支援中,R8.4.1,"
            f"同意あり,令和8年4月{1 + n % 28}日,書面,受け入れ先への要約の提供,"
            "週に一度外出する,社協が調整,2026/4/10,"
            "地域包括支援センター、社会福祉協議会,2027-03-31"
        )
    path = tmp_path / "clients.csv"
    path.write_text("\r\n".join(rows), encoding="utf-8")
    return path


def timed(*args: str) -> tuple[float, str]:
    out = io.StringIO()
    started = time.perf_counter()
    call_command("import_clients", *args, stdout=out)
    return time.perf_counter() - started, out.getvalue().strip()


def test_import_2000_clients(clients_file: Path) -> None:
    team = TeamFactory(name="ベンチ")
    dry, _ = timed(str(clients_file), "--team", team.name, "--dry-run")
    assert not Client.objects.exists()
    first, output = timed(str(clients_file), "--team", team.name)
    assert Client.objects.count() == N_CLIENTS
    assert Consent.objects.count() == N_CLIENTS and SupportPlan.objects.count() == N_CLIENTS
    again, _ = timed(str(clients_file), "--team", team.name)
    assert Consent.objects.count() == N_CLIENTS and SupportPlan.objects.count() == N_CLIENTS
    report(f"\n{N_CLIENTS} clients with consent and plan: {output}")
    report(f"dry run {dry:.1f} s, import {first:.1f} s, same file again {again:.1f} s")
