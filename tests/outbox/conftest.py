"""A test-only kind whose compose is steered per test, registered once for the session."""

from __future__ import annotations

import pytest

from outbox import registry

KIND = "tests.probe"
OUTCOMES: dict[str, registry.Outcome] = {}


def compose(message) -> registry.Outcome:
    outcome = OUTCOMES.get(message.object_id)
    if outcome is None:
        return registry.Email(to=["person@example.jp"], subject="件名", body="本文")
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


registry.register(KIND, label="テスト用", compose=compose)


@pytest.fixture
def outcomes():
    OUTCOMES.clear()
    yield OUTCOMES
    OUTCOMES.clear()
