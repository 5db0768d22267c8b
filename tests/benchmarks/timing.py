"""How the benchmarks time a request: wall clock and this process's CPU time, side by side.

On a shared two-core machine the wall clock mostly measures the other processes, so budgets
are checked on CPU time where the whole request runs in this process (SQLite); on PostgreSQL
the database works in another process, and the wall clock is the only fair measure.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable

from django.db import connection


def report(line: str) -> None:
    sys.stdout.write(line + "\n")


def timings(
    call: Callable[[], object], runs: int, before: Callable[[], object] | None = None
) -> tuple[list[float], list[float]]:
    """Sorted wall-clock and CPU milliseconds of ``runs`` calls, after one warm-up call;
    ``before`` runs untimed ahead of each call."""
    call()  # warm caches (site, settings, templates)
    wall, cpu = [], []
    for _ in range(runs):
        if before is not None:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        cpu.append((time.process_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return sorted(wall), sorted(cpu)


def p95(times: list[float]) -> float:
    return times[min(len(times) - 1, round(0.95 * len(times)) - 1)]


def budgeted(wall: list[float], cpu: list[float]) -> list[float]:
    """The times a budget is checked on (see the module's docstring)."""
    return cpu if connection.vendor == "sqlite" else wall


def line(label: str, wall: list[float], cpu: list[float], budget: float) -> str:
    return (
        f"{label}: p50 {statistics.median(wall):.1f} ms, p95 {p95(wall):.1f} ms wall; "
        f"p50 {statistics.median(cpu):.1f} ms, p95 {p95(cpu):.1f} ms CPU "
        f"(budget {budget:.0f} ms; load average {os.getloadavg()[0]:.1f})"
    )
