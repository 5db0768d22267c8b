"""The meeting papers' fixed data set: team A's cases around a meeting on 2026-06-10.

Team A's previous 重層的支援会議 was on 2026-05-13 (A4's plan was continued there); the plans'
own agreement dates (2026-03-11, 2026-04-08) are earlier. Today is 2026-06-20.

=======  =====================  ============================================  ===============
code     consent                plan                                          juso 06-10
=======  =====================  ============================================  ===============
MTG-A1   consented              draft, written 06-01                          to decide
MTG-A2   consented              agreed 04-08, reviewed 05-25 (after 05-13)    to decide
MTG-A3   consented              agreed 03-11, review due 06-10 (= meeting)    to evaluate
MTG-A4   consented              agreed 03-11, continued 05-13, due 06-11      — (not due)
MTG-A5   consented              agreed 03-11, ended 05-30                     to evaluate
MTG-A6   consented              agreed 03-11, ended 05-01 (before 05-13)      —
MTG-A7   support meeting only   draft (after a consented placement)           — (支援会議)
MTG-A8   none                   draft                                         —
MTG-A9   withdrawn              draft                                         —
MTG-A10  consented              draft written 06-15 (after the meeting)       —
MTG-B1   consented (team B)     draft                                         — (team B)
=======  =====================  ============================================  ===============

A3 has a placement at 「花の畑」 started 03-20: baseline UCLA-3 10 (4+3+3) and satisfaction 4,
the 14-day follow-up UCLA-3 8 (3+3+2) and satisfaction 6; the other follow-ups are pending.
A7 was placed too, and its check-in notes and the host's comment carry canaries: the
支援会議 pack must show none of them, nor A7's name, kana, notes or external ID.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from followups import services as followups
from followups.models import CheckIn
from matching import services
from matching.models import Client, Consent, SupportPlan, Team
from reports.meetings.services import decision_record
from resources.models import Area

from ..matching.factories import ClientFactory, consent, host_activity

MEETING = dt.date(2026, 6, 10)
TODAY = "2026-06-20 10:00 +0900"
CANARIES = (
    "名前カナリア",
    "かなりあかな",
    "メモカナリア",
    "EXT-CANARY-7",
    "経過メモカナリア",
    "受け入れ先カナリア",
    "同意メモカナリア",
)


@dataclass
class Cases:
    team_a: Team
    team_b: Team
    clients: dict[str, Client]
    plans: dict[str, SupportPlan]


def _at(time_machine: Any, day: str) -> None:
    time_machine.move_to(f"{day} 10:00 +0900", tick=False)


def _plan(client: Client, by: Any, goals: str, **kwargs: Any) -> SupportPlan:
    return services.plan_create(client=client, by=by, goals=goals, **kwargs)


def build(time_machine: Any, coordinator: Any, other_coordinator: Any) -> Cases:
    """Write the cases above through the services, moving the clock as a team would."""
    team_a = coordinator.team_memberships.get().team
    team_b = other_coordinator.team_memberships.get().team
    area = Area.objects.filter(name="和泊").first() or Area.objects.create(
        name="和泊", latitude=27.39, longitude=128.65
    )
    activity = host_activity(title="花の畑", placement_capacity=5)
    clients: dict[str, Client] = {}
    plans: dict[str, SupportPlan] = {}

    def person(code: str, team: Team = team_a, **kwargs: Any) -> Client:
        clients[code] = ClientFactory(
            reference_code=code, team=team, area=area, birth_year=1950, **kwargs
        )
        return clients[code]

    _at(time_machine, "2026-03-01")
    for code in ("MTG-A2", "MTG-A3", "MTG-A4", "MTG-A5", "MTG-A6"):
        consent(person(code), coordinator)
    _at(time_machine, "2026-03-11")
    for code in ("MTG-A3", "MTG-A4", "MTG-A5", "MTG-A6"):
        plans[code] = _plan(
            clients[code], coordinator, f"{code}の目標：週に一度外出する",
            support_details="社協が送迎を調整", meeting_date=dt.date(2026, 3, 11),
            review_due=dt.date(2026, 6, 10) if code == "MTG-A3" else dt.date(2026, 9, 1),
        )  # fmt: skip

    _at(time_machine, "2026-03-20")
    placement = services.placement_create(
        client=clients["MTG-A3"], activity=activity, by=coordinator
    )
    services.placement_accept(placement=placement, by=coordinator)
    services.placement_activate(placement=placement, by=coordinator)
    baseline = placement.checkins.get(kind=CheckIn.Kind.BASELINE)
    followups.checkin_record(
        checkin=baseline, by=coordinator, ucla_no_company=4, ucla_left_out=3, ucla_isolated=3,
        life_satisfaction=4,
    )  # fmt: skip
    _at(time_machine, "2026-04-03")
    first = placement.checkins.get(offset_days=14)
    followups.checkin_record(
        checkin=first, by=coordinator, attendance=CheckIn.Attendance.CONTINUING,
        ucla_no_company=3, ucla_left_out=3, ucla_isolated=2, life_satisfaction=6,
    )  # fmt: skip

    _at(time_machine, "2026-04-08")
    consent(person("MTG-A7", name=CANARIES[0], kana=CANARIES[1], notes=CANARIES[2],
                   external_id=CANARIES[3]), coordinator)  # fmt: skip
    plans["MTG-A2"] = _plan(
        clients["MTG-A2"], coordinator, "MTG-A2の目標：朝の散歩会に通う",
        meeting_date=dt.date(2026, 4, 8), review_due=dt.date(2026, 8, 1),
    )  # fmt: skip
    shien_placement = services.placement_create(
        client=clients["MTG-A7"], activity=activity, by=coordinator
    )
    services.placement_accept(placement=shien_placement, by=coordinator)
    services.placement_activate(placement=shien_placement, by=coordinator)
    followups.checkin_record(
        checkin=shien_placement.checkins.get(kind=CheckIn.Kind.BASELINE), by=coordinator,
        ucla_no_company=2, ucla_left_out=2, ucla_isolated=2, life_satisfaction=7,
        notes=CANARIES[4],
    )  # fmt: skip
    host_checkin = shien_placement.checkins.filter(with_host=True).first()
    if host_checkin is not None:
        CheckIn.objects.filter(pk=host_checkin.pk).update(host_comment=CANARIES[5])

    _at(time_machine, "2026-05-01")
    services.plan_close(
        plan=plans["MTG-A6"], status=SupportPlan.Status.ENDED, reason="目標達成",
        closed_on=dt.date(2026, 5, 1), by=coordinator,
    )  # fmt: skip
    services.consent_record(
        client=clients["MTG-A7"], stage=Consent.Stage.SUPPORT_MEETING,
        obtained_on=dt.date(2026, 5, 1), note=CANARIES[6], by=coordinator,
    )  # fmt: skip
    plans["MTG-A7"] = _plan(
        clients["MTG-A7"], coordinator, "MTG-A7の目標：見守りを続ける",
        support_details="民生委員と地域包括が訪問を調整", review_due=dt.date(2026, 7, 1),
    )  # fmt: skip

    _at(time_machine, "2026-05-13")
    decision_record(
        plan=plans["MTG-A4"], meeting="juso", meeting_date=dt.date(2026, 5, 13),
        decision="continue", evaluation="順調に参加している", by=coordinator,
        next_review=dt.date(2026, 6, 11),
    )  # fmt: skip

    _at(time_machine, "2026-05-25")
    services.plan_review(
        plan=plans["MTG-A2"], reviewed_on=dt.date(2026, 5, 25), note="曜日を変更",
        review_due=dt.date(2026, 8, 1), by=coordinator,
    )  # fmt: skip

    _at(time_machine, "2026-05-30")
    services.plan_close(
        plan=plans["MTG-A5"], status=SupportPlan.Status.INTERRUPTED, reason="入院のため",
        closed_on=dt.date(2026, 5, 30), by=coordinator,
    )  # fmt: skip

    _at(time_machine, "2026-06-01")
    consent(person("MTG-A1"), coordinator)
    plans["MTG-A1"] = _plan(clients["MTG-A1"], coordinator, "MTG-A1の目標：サロンに参加する")
    plans["MTG-A8"] = _plan(person("MTG-A8"), coordinator, "MTG-A8の目標")
    consent(person("MTG-A9"), coordinator)
    consent(clients["MTG-A9"], coordinator, stage=Consent.Stage.WITHDRAWN)
    plans["MTG-A9"] = _plan(clients["MTG-A9"], coordinator, "MTG-A9の目標")
    consent(person("MTG-B1", team=team_b), other_coordinator)
    plans["MTG-B1"] = _plan(clients["MTG-B1"], other_coordinator, "MTG-B1の目標")

    _at(time_machine, "2026-06-15")
    consent(person("MTG-A10"), coordinator)
    plans["MTG-A10"] = _plan(clients["MTG-A10"], coordinator, "MTG-A10の目標")

    _at(time_machine, "2026-06-20")
    return Cases(team_a=team_a, team_b=team_b, clients=clients, plans=plans)
