"""The role × action matrix over every client-data URL and command, generated from the URL conf.

Client-data routes are found, not listed: every pattern whose view lives in ``matching`` or
``followups``, plus Wagtail's own pages that show client data (the dashboard's follow-up panel,
the site history). Each must have an entry in ``SPECS`` below, so a new view cannot slip past.

Two teams, a client each with a canary in every sensitive text, and eight roles. Reads: every
GET, with the kwargs of both teams' records; a role that may not read a team never receives
its canaries. Writes: every form and action is POSTed with valid data, each inside a savepoint
that is rolled back, and a snapshot of every client-data table (row counts and a hash of every
row) is compared: it changes for exactly the roles ``can_write_client`` allows, and it really
changes for them, so the test fails both ways. The host place's signed links are authorised by
their token: anyone holding a valid one may answer, nobody with a forged one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import io
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import transaction
from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from followups.models import CheckIn
from followups.tokens import host_token
from matching import services
from matching.access import VIEW_ALL_PERMISSION, forget_access
from matching.models import Client, Placement, Proposal, TeamMembership
from matching.tokens import proposal_token
from tests.conftest import restore_migration_data
from volunteers.demo import COORDINATOR_PERMISSIONS

from .factories import ClientFactory, TeamFactory, consent, host_activity, make_editor, make_user

pytestmark = pytest.mark.django_db

CLIENT_APPS = {"matching", "followups"}
# Wagtail's own pages that show client data (reference codes).
EXTRA_CLIENT_PAGES = {
    "wagtailadmin_home",
    "wagtailadmin_reports:site_history",
    "wagtailadmin_reports:site_history_results",
}
ROLES = (
    "anonymous",
    "editor",
    "volunteer_coordinator",
    "coord_1",
    "sup_1",
    "coord_2",
    "view_all",
    "superuser",
)
READERS = {
    1: {"coord_1", "sup_1", "view_all", "superuser"},
    2: {"coord_2", "sup_1", "view_all", "superuser"},
}
WRITERS = {1: {"coord_1", "sup_1", "superuser"}, 2: {"coord_2", "superuser"}}
TEAM_NAMES = {1: "マトリクス第一チーム", 2: "マトリクス第二チーム"}
TODAY = "2026-11-20"


# --- the data: two teams, one client each with every kind of record --------------------------


@dataclass
class TeamData:
    number: int
    team: Any
    client: Client
    plan: Any
    draft: Proposal
    sent: Proposal
    placement: Placement
    baseline: CheckIn
    follow_up: CheckIn
    free_activity: Any
    referral: Any  # open, to a team none of the roles is in
    refer_to: Any  # another team nobody is in, for a new referral
    canaries: tuple[str, ...]


def _build_team(number: int, coordinator: Any, activities: dict[str, Any]) -> TeamData:
    team = coordinator.team_memberships.get().team
    canary = f"カナリア{number}x{timezone.now().microsecond:06d}"
    client = ClientFactory(
        team=team, name=f"{canary}名", kana=f"{canary}かな", notes=f"{canary}メモ"
    )
    client.coordinators.add(coordinator)
    consent(client, coordinator)
    plan = services.plan_create(client=client, by=coordinator, goals=f"{canary}目標")
    draft = services.proposal_create(
        client=client, activity_id=activities["draft"].pk, by=coordinator
    )
    sent = services.proposal_create(
        client=client, activity_id=activities["sent"].pk, by=coordinator
    )
    services.proposal_update(proposal=sent, summary="土いじりが好きな方です", by=coordinator)
    services.proposal_send(proposal=sent, by=coordinator)
    placement = services.placement_create(
        client=client, activity=activities["placed"], by=coordinator
    )
    services.placement_accept(placement=placement, by=coordinator)
    services.placement_activate(placement=placement, by=coordinator)
    services_checkins = placement.checkins.order_by("offset_days")
    referral = services.referral_create(
        client=client, to_team=TeamFactory(name=f"マトリクス紹介先{number}"),
        consent_on=dt.date(2026, 11, 1), method="interview", scope="近況", by=coordinator,
    )  # fmt: skip
    return TeamData(
        number=number,
        team=team,
        client=client,
        plan=plan,
        draft=draft,
        sent=sent,
        placement=placement,
        baseline=services_checkins.get(kind=CheckIn.Kind.BASELINE),
        follow_up=services_checkins.filter(kind=CheckIn.Kind.FOLLOW_UP, with_host=True).first(),
        free_activity=activities["free"],
        referral=referral,
        refer_to=TeamFactory(name=f"マトリクス新紹介先{number}"),
        canaries=(client.name, client.kana, client.notes, client.reference_code, plan.goals),
    )


def _users() -> dict[str, Any]:
    team_1, team_2 = (TeamFactory(name=TEAM_NAMES[n]) for n in (1, 2))
    users = {
        "editor": make_editor("matrix_editor"),
        "volunteer_coordinator": make_user("matrix_volunteers"),
        "coord_1": make_user("matrix_coord_1", team=team_1),
        "sup_1": make_user("matrix_sup_1", team=team_1, role=TeamMembership.Role.SUPERVISOR),
        "coord_2": make_user("matrix_coord_2", team=team_2),
        "view_all": make_user("matrix_view_all"),
        "superuser": get_user_model().objects.create_superuser(
            "matrix_root", "root@example.jp", "x"
        ),
    }
    group, _ = Group.objects.get_or_create(name="matrix volunteer coordinators")
    for dotted in COORDINATOR_PERMISSIONS:
        app_label, codename = dotted.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    users["volunteer_coordinator"].groups.add(group)
    app_label, codename = VIEW_ALL_PERMISSION.split(".")
    users["view_all"].user_permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename)
    )
    return users


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[dict[str, Any]]:
    """Built once for the module, rolled back after; each test runs in its own savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        restore_migration_data()
        users = _users()
        activities = {
            key: host_activity(title=f"マトリクス{key}", placement_capacity=10)
            for key in ("placed", "sent", "draft", "free")
        }
        teams = {n: _build_team(n, users[f"coord_{n}"], activities) for n in (1, 2)}
        for user in users.values():
            forget_access(user)
        yield {"users": users, "teams": teams}
        transaction.set_rollback(True)


# --- the routes --------------------------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "", namespace: tuple[str, ...] = ()) -> Iterator:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield ":".join((*namespace, pattern.name)), prefix + str(pattern.pattern), pattern


def client_data_routes() -> dict[str, str]:
    """Every named pattern about client data: its name → its route."""
    found = {}
    for name, route, pattern in _walk(get_resolver()):
        view = getattr(pattern.callback, "view_class", pattern.callback)
        if view.__module__.split(".")[0] in CLIENT_APPS or name in EXTRA_CLIENT_PAGES:
            found[name] = route
    return found


@dataclass(frozen=True)
class Spec:
    """One route: how to fill its kwargs for a team (None: a collection, once), the POST that
    writes (None: read only), and who may write through it."""

    kwargs: Callable[[TeamData], dict] | None = None
    post: Callable[[TeamData], dict] | None = None
    query: str = ""
    token: bool = False  # authorised by a signed token, not by a login


def _client(t: TeamData) -> dict:
    return {"pk": t.client.pk}


def _client_form(t: TeamData) -> dict:
    return {"name": f"書き換え{t.number}", "kana": "かきかえ", "team": t.team.pk,
            "status": "supporting", "reference_code": t.client.reference_code}  # fmt: skip


SPECS: dict[str, Spec] = {
    "wagtailadmin_home": Spec(),
    "wagtailadmin_reports:site_history": Spec(),
    "wagtailadmin_reports:site_history_results": Spec(),
    "matching_audit_export": Spec(query=f"?date_from=2000-01-01&date_to={dt.date.today()}"),
    "matching_client:index": Spec(query="?export=csv"),
    "matching_client:index_results": Spec(),
    "matching_client:add": Spec(
        post=lambda t: {**_client_form(t), "name": f"新規{t.number}", "reference_code": ""}
    ),
    "matching_client:inspect": Spec(kwargs=_client),
    "matching_client:edit": Spec(kwargs=_client, post=_client_form),
    "matching_client:history": Spec(kwargs=_client),
    "matching_client:history_results": Spec(kwargs=_client),
    "matching_client:consent": Spec(
        kwargs=_client,
        post=lambda t: {
            "stage": "consented",
            "obtained_on": TODAY,
            "scope": "参加",
            "method": "interview",
            "note": "",
            "placements": "end",
        },
    ),  # fmt: skip
    "matching_client:plan_create": Spec(kwargs=_client, post=lambda t: {"goals": "新しい目標"}),
    "matching_client:referral_create": Spec(
        kwargs=_client,
        post=lambda t: {
            "to_team": t.refer_to.pk,
            "consent_on": TODAY,
            "method": "interview",
            "scope": "近況",
        },
    ),  # fmt: skip
    "matching_client:referral_end": Spec(kwargs=lambda t: {"pk": t.referral.pk}, post=lambda t: {}),
    "matching_client:propose": Spec(
        kwargs=_client, post=lambda t: {"activity": t.free_activity.pk}
    ),
    "matching_client:placement_create": Spec(
        kwargs=_client, post=lambda t: {"activity": t.free_activity.pk}
    ),
    "matching_client:plan_review": Spec(
        kwargs=lambda t: {"pk": t.plan.pk},
        post=lambda t: {"reviewed_on": TODAY, "note": "順調", "review_due": ""},
    ),
    "matching_client:plan_close": Spec(
        kwargs=lambda t: {"pk": t.plan.pk},
        post=lambda t: {"status": "ended", "closed_on": TODAY, "reason": "目標達成"},
    ),
    "matching_client:proposal": Spec(
        kwargs=lambda t: {"pk": t.draft.pk},
        post=lambda t: {"action": "save", "summary": "散歩が好きな方です", "companion": ""},
    ),
    "matching_client:placement": Spec(
        kwargs=lambda t: {"pk": t.placement.pk},
        post=lambda t: {"status": "interrupted", "end_reason": "health", "reason": "体調不良"},
    ),
    "followups_admin:placement": Spec(
        kwargs=lambda t: {"pk": t.placement.pk},
        post=lambda t: {"status": "ended", "end_reason": "person_wish", "reason": "通わなくなった"},
    ),
    "followups_admin:record": Spec(
        kwargs=lambda t: {"pk": t.baseline.pk}, post=lambda t: {"notes": "初回の様子"}
    ),
    "followups_admin:reschedule": Spec(
        kwargs=lambda t: {"pk": t.follow_up.pk},
        post=lambda t: {"due_on": str(t.follow_up.due_on + dt.timedelta(days=3))},
    ),
    "matching:respond": Spec(
        kwargs=lambda t: {"token": proposal_token(t.sent.pk)},
        post=lambda t: {"decision": "accept", "comment": ""},
        token=True,
    ),
    "followups:host": Spec(
        kwargs=lambda t: {"token": host_token(t.follow_up.pk)},
        post=lambda t: {"attending": CheckIn.HostAttending.values[0], "concern": "no"},
        token=True,
    ),
}


def urls_of(name: str, spec: Spec, teams: dict[int, TeamData]) -> Iterator[tuple[int | None, str]]:
    """(the team whose record it is, or None for a collection; the URL)."""
    if spec.kwargs is None:
        yield None, reverse(name) + spec.query
        return
    for number, data in teams.items():
        yield number, reverse(name, kwargs=spec.kwargs(data)) + spec.query


def browser(role: str, users: dict[str, Any]) -> Browser:
    b = Browser()
    if role != "anonymous":
        b.force_login(users[role])
    return b


def body(response: Any) -> str:
    raw = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if raw[:2] == b"PK":  # a spreadsheet: read every part of the zip
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "".join(archive.read(n).decode(errors="replace") for n in archive.namelist())
    return raw.decode(errors="replace")


# --- the snapshot ------------------------------------------------------------------------------


def snapshot() -> dict[str, tuple[int, str]]:
    """Row count and a hash of every row of every client-data table (and the outbox)."""
    models = [
        *(
            m
            for a in CLIENT_APPS
            for m in apps.get_app_config(a).get_models(include_auto_created=True)
        ),
        apps.get_model("outbox", "Message"),
    ]
    state = {}
    for model in models:
        rows = list(model._base_manager.order_by("pk").values_list())
        state[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return state


# --- the tests ---------------------------------------------------------------------------------


def report(line: str) -> None:
    """The counts the issue asks for, on the terminal even without -s."""
    sys.stdout.write(line + "\n")


def test_every_client_data_route_is_in_the_matrix():
    routes = client_data_routes()
    assert len(routes) >= 20, routes  # the client viewset, its actions, follow-ups, reports
    assert {"matching_client:edit", "followups_admin:record", "matching:respond"} <= set(routes)
    assert set(routes) == set(SPECS), set(routes) ^ set(SPECS)


def test_reads_never_show_another_teams_client(world, capsys):
    users, teams = world["users"], world["teams"]
    browsers = {role: browser(role, users) for role in ROLES}
    counts: Counter[str] = Counter()
    for name, spec in SPECS.items():
        for role in ROLES:
            for number, url in urls_of(name, spec, teams):
                response = browsers[role].get(url)
                counts["gets"] += 1
                assert response.status_code < 500, (name, role, url)
                text = body(response)
                for other, data in teams.items():
                    if role not in READERS[other]:
                        leaked = [c for c in data.canaries if c in text]
                        assert not leaked, (name, role, other, leaked)
                if number is not None and role not in READERS[number] and not spec.token:
                    assert response.status_code != 200, (name, role, number)
    with capsys.disabled():
        report(f"\nread matrix: {len(SPECS)} routes × {len(ROLES)} roles, {counts['gets']} GETs, "
              "0 canaries leaked")  # fmt: skip


@pytest.mark.parametrize("number", [1, 2])
def test_the_client_page_shows_actions_only_to_writers(world, number):
    users, data = world["users"], world["teams"][number]
    url = reverse("matching_client:inspect", args=[data.client.pk])
    consent_url = reverse("matching_client:consent", args=[data.client.pk])
    edit_url = reverse("matching_client:edit", args=[data.client.pk])
    for role in READERS[number]:
        text = browser(role, users).get(url).content.decode()
        assert data.client.name in text, role
        may_write = role in WRITERS[number]
        assert (consent_url in text, edit_url in text) == (may_write, may_write), role


def test_writes_change_data_exactly_for_the_allowed_roles(world, capsys):
    users, teams = world["users"], world["teams"]
    browsers = {role: browser(role, users) for role in ROLES}
    before = snapshot()
    counts: Counter[str] = Counter()
    wrong: list[tuple] = []
    for name, spec in SPECS.items():
        if spec.post is None:
            continue
        for number, data in teams.items():
            target = reverse(name, kwargs=spec.kwargs(data)) if spec.kwargs else reverse(name)
            for role in ROLES:
                allowed = spec.token or role in WRITERS[number]
                changed = _post_and_roll_back(browsers[role], target, spec.post(data), before)
                counts["posts"] += 1
                counts["allowed" if allowed else "refused"] += 1
                if changed != allowed:
                    wrong.append((name, number, role, "changed" if changed else "unchanged"))
            if spec.token:  # a forged or truncated token changes nothing for anyone
                forged = target.replace(target.rstrip("/").rsplit("/", 1)[1], "forged:token")
                for role in ROLES:
                    counts["posts"] += 1
                    if _post_and_roll_back(browsers[role], forged, spec.post(data), before):
                        wrong.append((name, number, role, "forged token changed"))
    assert snapshot() == before
    assert not wrong, wrong
    with capsys.disabled():
        report(f"\nwrite matrix: {counts['posts']} POSTs ({counts['allowed']} allowed, all "
              f"changed data; {counts['refused']} refused), disallowed changes: 0")  # fmt: skip


def _post_and_roll_back(b: Browser, url: str, data: dict, before: dict) -> bool:
    """POST inside a savepoint that is rolled back (so ``before`` holds for the next one); True
    if any client-data table changed."""
    with transaction.atomic():
        response = b.post(url, data)
        assert response.status_code < 500, (url, response.status_code)
        changed = snapshot() != before
        transaction.set_rollback(True)
    return changed


# --- management commands -----------------------------------------------------------------------


def _import_file() -> str:
    path = Path(tempfile.mkdtemp()) / "clients.csv"
    path.write_text("外部ID,氏名\nMX-1,取込太郎\n", encoding="utf-8")
    return str(path)


# command → the arguments for a team's client (None: the command takes no --by: system only)
COMMANDS: dict[str, Callable[[TeamData], list[str]] | None] = {
    "propose": lambda t: [t.client.reference_code],
    "assign_batch": lambda t: [],
    "import_clients": lambda t: [_import_file(), "--team", t.team.name],
    "erase_client": lambda t: [t.client.reference_code, "--force"],
    "erase_expired_clients": None,
}


def test_every_client_command_is_in_the_matrix():
    commands = {name for name, app in get_commands().items() if app in CLIENT_APPS}
    assert commands == set(COMMANDS), commands ^ set(COMMANDS)


@pytest.mark.parametrize("command", sorted(c for c, args in COMMANDS.items() if args))
def test_commands_refuse_users_who_may_not_write(world, command, capsys):
    users, teams = world["users"], world["teams"]
    refused = 0
    for number, data in teams.items():
        for role in sorted(set(users) - WRITERS[number]):
            if command == "assign_batch" and role in WRITERS[3 - number]:
                continue  # writes the other team: covered by the scoping test below
            before = snapshot()
            with pytest.raises(CommandError):
                call_command(command, *COMMANDS[command](data), "--by", users[role].username,
                             stdout=io.StringIO())  # fmt: skip
            assert snapshot() == before, (command, number, role)
            refused += 1
        if command == "assign_batch":
            continue  # nobody is waiting here: its scope is proven below
        # The team's own coordinator may: the same call changes something (so this can fail).
        before = snapshot()
        with transaction.atomic():
            call_command(command, *COMMANDS[command](data), "--by",
                         users[f"coord_{number}"].username, stdout=io.StringIO())  # fmt: skip
            assert snapshot() != before, (command, number)
            transaction.set_rollback(True)
    assert refused
    with capsys.disabled():
        report(f"\n{command}: {refused} refused runs, 0 changes")


def test_batch_assignment_plans_only_the_actors_own_team(world):
    """A supervisor of team 1 sees team 2's waiting client but plans (and logs) only their own."""
    users, teams = world["users"], world["teams"]
    waiting = {}
    for number, data in teams.items():
        waiting[number] = ClientFactory(team=data.team)
        consent(waiting[number], users[f"coord_{number}"])
    out = io.StringIO()
    call_command("assign_batch", "--by", users["sup_1"].username, stdout=out)
    assert waiting[1].reference_code in out.getvalue()
    assert waiting[2].reference_code not in out.getvalue()


# --- services ----------------------------------------------------------------------------------


def _service_calls(t: TeamData) -> dict[str, Callable[[Any], Any]]:
    """Every service that takes ``by``, called with valid arguments for team ``t``'s records."""
    from followups import services as followups

    day = dt.date(2026, 11, 20)
    return {
        "clients_import": lambda by: services.clients_import(rows=[], team=t.team, by=by),
        "consent_record": lambda by: services.consent_record(
            client=t.client, stage="consented", obtained_on=day, scope="参加", by=by
        ),
        "consent_withdraw": lambda by: services.consent_withdraw(
            client=t.client, obtained_on=day, reason="本人の希望", by=by
        ),
        "plan_create": lambda by: services.plan_create(client=t.client, goals="目標", by=by),
        "plan_review": lambda by: services.plan_review(
            plan=t.plan, reviewed_on=day, note="", by=by
        ),
        "plan_close": lambda by: services.plan_close(
            plan=t.plan, status="ended", reason="終了", closed_on=day, by=by
        ),
        "proposal_create": lambda by: services.proposal_create(
            client=t.client, activity_id=t.free_activity.pk, by=by
        ),
        "proposal_update": lambda by: services.proposal_update(
            proposal=t.draft, summary="要約", by=by
        ),
        "proposal_send": lambda by: services.proposal_send(proposal=t.draft, by=by),
        "proposal_withdraw": lambda by: services.proposal_withdraw(
            proposal=t.sent, reason="取り下げ", by=by
        ),
        "placement_create": lambda by: services.placement_create(
            client=t.client, activity=t.free_activity, by=by
        ),
        "placement_accept": lambda by: services.placement_accept(placement=t.placement, by=by),
        "placement_activate": lambda by: services.placement_activate(placement=t.placement, by=by),
        "placement_close": lambda by: services.placement_close(
            placement=t.placement, status="ended", reason="終了", end_reason="other", by=by
        ),
        "placement_pause": lambda by: services.placement_pause(placement=t.placement, by=by),
        "placement_resume": lambda by: services.placement_resume(placement=t.placement, by=by),
        "schedule_create": lambda by: followups.schedule_create(placement=t.placement, by=by),
        "schedule_resume": lambda by: followups.schedule_resume(
            placement=t.placement, paused_on=day, by=by
        ),
        "referral_create": lambda by: services.referral_create(
            client=t.client,
            to_team=t.refer_to,
            consent_on=day,
            method="interview",
            scope="近況",
            by=by,
        ),  # fmt: skip
        "referral_end": lambda by: services.referral_end(referral=t.referral, by=by),
        "checkin_record": lambda by: followups.checkin_record(checkin=t.baseline, by=by),
        "checkin_reschedule": lambda by: followups.checkin_reschedule(
            checkin=t.follow_up, due_on=day, by=by
        ),
    }


def test_every_service_that_takes_by_is_guarded(world):
    """Called straight (no view in front), as a reader who may not write: refused, no change."""
    from followups import services as followups

    users, team_2 = world["users"], world["teams"][2]
    calls = _service_calls(team_2)
    with_by = {
        name
        for module in (services, followups)
        for name, function in vars(module).items()
        if inspect.isfunction(function)
        and function.__module__ == module.__name__
        and not name.startswith("_")
        and "by" in inspect.signature(function).parameters
    }
    assert with_by == set(calls), with_by ^ set(calls)
    before = snapshot()
    for name, call in calls.items():
        for role in ("sup_1", "view_all", "coord_1", "editor"):
            with pytest.raises((PermissionDenied, followups.FollowUpError)):
                call(users[role])
            assert snapshot() == before, (name, role)
