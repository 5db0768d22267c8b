"""Sample participation support: two teams, their staff, ten fictional clients, proposals and
placements in different states.

Every client is marked as sample data with a SAMPLE-… reference code and a name that says so.
Staff accounts get a random password printed once, as the administrator's does. Activities and
terms come from the directory's demo (resources/demo.py); what is missing is skipped.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from outbox.services import reschedule
from resources.models import ActivityPage, Area, Term
from tsunagu.text import to_hiragana

from . import emails, services
from .models import Client, Consent, Placement, Proposal, Team, TeamMembership
from .selectors import client_rank
from .services import MatchingError
from .setup import STAFF_GROUP, staff_group
from .setup import team as ensure_team

__all__ = ["STAFF_GROUP", "load"]

TEAMS = {
    "houkatsu": ("和泊町地域包括支援センター（サンプル）", Team.Kind.COMMUNITY_SUPPORT_CENTER),
    "kodomo": ("和泊町こども家庭センター（サンプル）", Team.Kind.CHILD_FAMILY_CENTER),
}
STAFF = [
    # username, full name, team, role
    ("coord_houkatsu", "見本 相談員A", "houkatsu", TeamMembership.Role.COORDINATOR),
    ("coord_kodomo", "見本 相談員B", "kodomo", TeamMembership.Role.COORDINATOR),
    ("supervisor", "見本 統括", "houkatsu", TeamMembership.Role.SUPERVISOR),
]
CONSENTED, MEETING, WITHDRAWN = "consented", "support_meeting", "withdrawn"

# (code, team, sketch, record fields, terms by kind, consent, what happens next)
CLIENTS: list[dict[str, Any]] = [
    {
        "code": "SAMPLE-001", "team": "houkatsu", "name": "見本 ウメ（サンプル）",
        "situation": "80代の一人暮らし。夫を亡くしてから外出が減った。",
        "fields": {"birth_year": 1942, "gender": "female", "field_elderly": True,
                   "needs_pickup": True, "availability": ["1-morning", "3-morning"]},
        "area": "国頭", "interests": ["花き栽培"], "needs": ["話し相手", "居場所"],
        "accommodations": ["送迎"], "consent": CONSENTED,
        "flow": ("placement", "active", "WD-A-39"),
    },
    {
        "code": "SAMPLE-002", "team": "houkatsu", "name": "見本 タケシ（サンプル）",
        "situation": "50代。20年近くひきこもり状態。母親（80代）が相談に来た（8050）。",
        "fields": {"birth_year": 1972, "gender": "male", "field_poverty": True, "field_other": True,
                   "wants_visit_first": True, "wants_short_time": True,
                   "availability": ["3-afternoon", "1-afternoon"]},
        "area": "和泊", "interests": ["読書", "農作業"], "needs": ["居場所", "生活リズム"],
        "accommodations": ["静かな環境"], "consent": CONSENTED,
        "flow": ("proposal", "sent", "WD-A-04"),
    },
    {
        "code": "SAMPLE-003", "team": "kodomo", "name": "見本 ミサキ（サンプル）",
        "situation": "中学3年生のヤングケアラー。祖母の介護と弟の世話で放課後が埋まる。",
        "fields": {"birth_year": 2011, "gender": "female", "field_children": True,
                   "availability": ["2-afternoon", "5-morning"]},
        "area": "喜美留", "interests": ["子どもと遊ぶ"], "needs": ["学習", "居場所"],
        "accommodations": [], "consent": CONSENTED, "flow": ("proposal", "draft", "WD-A-35"),
    },
    {
        "code": "SAMPLE-004", "team": "houkatsu", "name": "見本 ナオコ（サンプル）",
        "situation": "40代。認知症の父の介護と幼い子の育児が重なるダブルケア。",
        "fields": {"birth_year": 1983, "gender": "female", "field_elderly": True,
                   "field_children": True, "availability": ["5-morning"]},
        "area": "手々知名", "interests": ["料理"], "needs": ["話し相手", "子育て支援"],
        "accommodations": [], "consent": MEETING, "flow": None,
    },
    {
        "code": "SAMPLE-005", "team": "houkatsu", "name": "見本 ユウト（サンプル）",
        "situation": "20代。知的障害があり、特別支援学校卒業後に家にいることが多い。",
        "fields": {"birth_year": 2003, "gender": "male", "field_disability": True,
                   "wants_companion": True,
                   "availability": ["0-morning", "2-morning", "4-morning"]},
        "area": "和泊", "interests": ["農作業"], "needs": ["就労準備", "生活リズム"],
        "accommodations": [], "consent": CONSENTED,
        "flow": ("placement", "accepted", "WD-A-30"),
    },
    {
        "code": "SAMPLE-006", "team": "houkatsu", "name": "見本 イサム（サンプル）",
        "situation": "70代。退職後に地域とのつながりがなくなった。",
        "fields": {"birth_year": 1953, "gender": "male", "field_elderly": True,
                   "has_transport": True, "availability": ["2-morning", "5-morning"]},
        "area": "伊延", "interests": ["囲碁・将棋", "三線"], "needs": ["生きがい"],
        "accommodations": [], "consent": CONSENTED,
        "flow": ("placement", "settled", "WD-A-47"),
    },
    {
        "code": "SAMPLE-007", "team": "houkatsu", "name": "見本 ケンジ（サンプル）",
        "situation": "30代。離職後に生活困窮。本人が同意を撤回し、今は見守り中。",
        "fields": {"birth_year": 1990, "gender": "male", "field_poverty": True,
                   "availability": ["1-morning"]},
        "area": "和", "interests": ["さとうきび"], "needs": ["就労準備"],
        "accommodations": [], "consent": WITHDRAWN, "flow": None,
    },
    {
        "code": "SAMPLE-008", "team": "kodomo", "name": "見本 ハルキ（サンプル）",
        "situation": "高校1年生。発達障害があり不登校。受け入れ先に一度断られた。",
        "fields": {"birth_year": 2010, "gender": "male", "field_children": True,
                   "field_disability": True, "wants_visit_first": True,
                   "availability": ["3-afternoon"]},
        "area": "内城", "interests": ["読書"], "needs": ["居場所"],
        "accommodations": ["少人数"], "consent": CONSENTED,
        "flow": ("proposal", "declined", "WD-A-04"),
    },
    {
        "code": "SAMPLE-009", "team": "houkatsu", "name": "見本 フミ（サンプル）",
        "situation": "70代。夫の介護で通えなくなり、参加を中断した。",
        "fields": {"birth_year": 1950, "gender": "female", "field_elderly": True,
                   "availability": ["1-morning", "4-morning"]},
        "area": "畦布", "interests": ["手芸", "編み物"], "needs": ["話し相手"],
        "accommodations": [], "consent": CONSENTED,
        "flow": ("placement", "interrupted", "WD-A-18"),
    },
    {
        "code": "SAMPLE-010", "team": "kodomo", "name": "見本 アナ（サンプル）",
        "situation": "30代。島外から移住した外国出身の母親。初回の相談を受けたところ。",
        "fields": {"birth_year": 1994, "gender": "female", "field_children": True,
                   "field_other": True, "availability": ["2-morning"]},
        "area": "和泊", "interests": ["料理"], "needs": ["子育て支援", "話し相手"],
        "accommodations": ["やさしい日本語"], "consent": None, "flow": None,
    },
]  # fmt: skip
SUMMARY = (
    "人と話すのは少し苦手ですが、手を動かすことが好きな方です。"
    "最初は見学から、短い時間で始めたいと考えています。"
)
REASONS = {
    "interrupted": "家族の介護が始まり、通うことが難しくなったため。落ち着いたら再開を相談する。",
    "settled": "",
}
END_REASONS = {"interrupted": Placement.EndReason.OTHER}  # family care: none of the named ones


def load(stdout: TextIO) -> None:
    """Create the sample teams, staff and clients once; later runs change nothing."""
    teams = {key: _team(name, kind) for key, (name, kind) in TEAMS.items()}
    staff = {username: _staff(stdout, username, name, teams[team], role)
             for username, name, team, role in STAFF}  # fmt: skip
    if Client.objects.filter(is_sample=True).exists():
        stdout.write("参加支援のサンプル（対象者10人）は作成済みです。\n")
        return
    activities = {a.external_id: a for a in ActivityPage.objects.filter(is_sample=True)}
    coordinators = {"houkatsu": staff["coord_houkatsu"], "kodomo": staff["coord_kodomo"]}
    for spec in CLIENTS:
        person = _client(spec, teams[spec["team"]], coordinators[spec["team"]])
        _story(person, spec, coordinators[spec["team"]], activities)
    stdout.write(
        f"参加支援のサンプル: チーム{len(teams)}、対象者{len(CLIENTS)}人を作成しました"
        "（整理番号 SAMPLE-001〜010、すべて架空の人物です）。\n"
    )


def _team(name: str, kind: str) -> Team:
    """A sample team; a later run leaves its contact as it is."""
    found = Team.objects.filter(name=name).first()
    if found is not None:
        return found
    fields = {"kind": kind, "phone": "0997-00-0000", "email": "sample-team@example.jp",
              "is_sample": True}  # fmt: skip
    return ensure_team(name, fields)[0]


def _staff(stdout: TextIO, username: str, name: str, team: Team, role: str) -> Any:
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        family, given = name.split(" ", 1)
        user = User.objects.create_user(
            username=username, password=password, email=f"{username}@example.jp",
            last_name=family, first_name=given,
        )  # fmt: skip
        stdout.write(
            f"参加支援のアカウント {username}（{team.name}）を作成しました。"
            f"パスワードは一度だけ表示されます: {password}\n"
        )
    user.groups.add(staff_group())
    TeamMembership.objects.get_or_create(team=team, user=user, defaults={"role": role})
    return user


def _terms(names: list[str], kind: str) -> list[Term]:
    return list(Term.objects.filter(name__in=names, kind=kind))


def _kana(name: str) -> str:
    """Sample names are 見本 and a given name in katakana: their reading, as staff write it."""
    given = name.removeprefix("見本 ").removesuffix("（サンプル）")
    return f"みほん {to_hiragana(given)}"


def _client(spec: dict[str, Any], team: Team, coordinator: Any) -> Client:
    person = Client.objects.create(
        reference_code=spec["code"],
        name=spec["name"],
        kana=_kana(spec["name"]),
        team=team,
        area=Area.objects.filter(name=spec["area"]).first(),
        notes=f"【サンプル】{spec['situation']}",
        status=Client.Status.SUPPORTING if spec["flow"] else Client.Status.CONSULTING,
        is_sample=True,
        **spec["fields"],
    )
    person.coordinators.add(coordinator)
    person.interests.set(_terms(spec["interests"], Term.Kind.INTEREST))
    person.needs.set(_terms(spec["needs"], Term.Kind.NEED))
    person.accommodations.set(_terms(spec["accommodations"], Term.Kind.ACCOMMODATION))
    return person


def _consent(person: Client, stage: str, by: Any) -> None:
    obtained = timezone.localdate() - dt.timedelta(days=40)
    services.consent_record(
        client=person, stage=MEETING, obtained_on=obtained - dt.timedelta(days=20), by=by,
        note="支援会議（守秘義務のもとでの情報共有）",
    )  # fmt: skip
    if stage in (CONSENTED, WITHDRAWN):
        services.consent_record(
            client=person, stage=CONSENTED, obtained_on=obtained, by=by,
            scope="関係機関での情報共有、受け入れ先への要約の提供、活動への参加",
            method=Consent.Method.INTERVIEW,
        )  # fmt: skip
    if stage == WITHDRAWN:
        services.consent_record(
            client=person, stage=WITHDRAWN, obtained_on=timezone.localdate(), by=by,
            method=Consent.Method.PHONE, note="しばらく誰とも会いたくないとのこと",
        )  # fmt: skip


def _story(person: Client, spec: dict[str, Any], by: Any, activities: dict) -> None:
    if spec["consent"]:
        _consent(person, spec["consent"], by)
    if spec["consent"] in (CONSENTED, WITHDRAWN):
        services.plan_create(
            client=person, by=by, goals="週に一度、家の外で人と過ごす時間をもつ。",
            meeting_date=timezone.localdate() - dt.timedelta(days=30),
            meeting_organisations="地域包括支援センター\n社会福祉協議会\n役場 保健福祉課",
            review_due=timezone.localdate() + dt.timedelta(days=60),
        )  # fmt: skip
    if not spec["flow"]:
        return
    kind, state, preferred = spec["flow"]
    try:
        if kind == "proposal":
            _proposal(person, activities.get(preferred), state, by)
        elif preferred in activities:
            _placement(person, activities[preferred], state, by)
    except MatchingError:
        # The directory's demo may have changed (capacity, schedule): keep the client, skip it.
        return


def _proposal(person: Client, preferred: ActivityPage | None, state: str, by: Any) -> None:
    """A proposal for the preferred activity if the matcher ranks it, else for its first."""
    ranked = [r.activity_id for r in client_rank(client=person, top=services.PROPOSAL_CHOICES)]
    if not ranked:
        return
    activity_id = preferred.pk if preferred and preferred.pk in ranked else ranked[0]
    proposal = services.proposal_create(client=person, activity_id=activity_id, by=by)
    services.proposal_update(proposal=proposal, summary=SUMMARY, by=by)
    if state == "draft":
        return
    services.proposal_send(proposal=proposal, by=by)
    if state == "declined":
        services.proposal_respond(
            proposal_id=proposal.pk,
            accept=False,
            comment="今は人手が足りず、次の機会にお願いします。",
        )
        return
    # Sent eight days ago: its reminder is due at the next outbox sweep (`manage.py outbox_sweep`).
    eight_days_ago = timezone.now() - dt.timedelta(days=8)
    Proposal.objects.filter(pk=proposal.pk).update(
        sent_at=eight_days_ago, deadline=eight_days_ago + services.proposal_deadline()
    )
    reschedule(
        keys=[emails.reminder_key(proposal.pk)],
        due_at=eight_days_ago + services.proposal_reminder_after(),
    )


def _placement(person: Client, activity: ActivityPage, state: str, by: Any) -> None:
    placement = services.placement_create(client=person, activity=activity, by=by)
    services.placement_accept(placement=placement, by=by)
    if state == "accepted":
        return
    services.placement_activate(placement=placement, by=by)
    if state in (Placement.Status.SETTLED, Placement.Status.INTERRUPTED):
        services.placement_close(
            placement=placement, status=state, reason=REASONS[state],
            end_reason=END_REASONS.get(state, ""), by=by,
        )  # fmt: skip
