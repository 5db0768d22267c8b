"""Matching's teams, users and host activity, plus an active placement with its schedule."""

from collections.abc import Iterator

import pytest

from matching import services
from matching.models import Placement

# Matching's fixtures (teams, coordinators, a supervisor, an editor, a consented person).
from tests.matching.conftest import *  # noqa: F403
from tests.matching.factories import make_user
from tsunagu.celery import app


@pytest.fixture(autouse=True)
def _eager_tasks() -> Iterator[None]:
    # Tests that prove cross-process behaviour switch this off themselves.
    app.set_current()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def team_supervisor(team_a):
    """The supervisor of the client's own team (escalations go to them)."""
    return make_user("sup_a", team=team_a, role="supervisor")


def make_active(person, activity, by) -> Placement:
    placement = services.placement_create(client=person, activity=activity, by=by)
    services.placement_accept(placement=placement, by=by)
    return services.placement_activate(placement=placement, by=by)


@pytest.fixture
def placement(consented, activity, coordinator) -> Placement:
    return make_active(consented, activity, coordinator)


@pytest.fixture
def app_not_eager() -> Iterator[None]:
    """Publish to the broker (memory:// without REDIS_URL) instead of running in-process."""
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True
