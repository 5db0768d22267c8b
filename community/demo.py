"""Two sample community groups with editor accounts and a few pages in their sections.

Idempotent: groups, sections and pages are found again by name and slug; an editor's password
is shown once, when the account is made (like the administrator's).
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any, TextIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from events.models import EventPage
from resources.models import ActivityPage, Area, Organization, ScheduleRule, Term

from . import services
from .models import CalendarSectionPage, DirectorySectionPage

GROUPS: tuple[dict[str, Any], ...] = (
    {
        "organization": "子ども食堂 ひまわりの会（サンプル）",
        "username": "sample-editor-himawari",
        "email": "himawari-editor@example.jp",
        "event": {
            "slug": "himawari-oyako-ryori",
            "title": "親子料理教室（サンプル）",
            "summary": "島の野菜で親子いっしょにごはんを作ります。【サンプルデータ】",
            "in_days": 12,
            "start": "10:00",
            "end": "12:30",
            "for_children": True,
        },
        "activity": None,
    },
    {
        "organization": "喜美留字自治会（サンプル）",
        "username": "sample-editor-kimiru",
        "email": "kimiru-editor@example.jp",
        "event": {
            "slug": "kimiru-shuraku-seiso",
            "title": "喜美留 集落清掃（サンプル）",
            "summary": "公民館に集合して集落の道と浜をきれいにします。【サンプルデータ】",
            "in_days": 9,
            "start": "07:00",
            "end": "08:30",
            "for_everyone": True,
        },
        "activity": {
            "slug": "kimiru-yuntaku",
            "title": "喜美留 ゆんたく会（サンプル）",
            "summary": "お茶を飲みながらおしゃべりする集まりです。【サンプルデータ】",
            "area": "喜美留",
            # 毎週木曜 14:00〜16:00
            "schedule": {"weekday": 3, "opens_at": dt.time(14), "closes_at": dt.time(16)},
            "tags": ["カフェ", "傾聴"],
        },
    },
)


def load(stdout: TextIO) -> None:
    services.ensure_moderation()
    _staff(stdout)
    for spec in GROUPS:
        organization = Organization.objects.filter(name=spec["organization"]).first()
        if organization is None:
            continue  # the directory demo did not make it
        services.ensure_sections(organization)
        _editor(spec, organization, stdout)
        _event(spec["event"], organization)
        if spec["activity"]:
            _activity(spec["activity"], organization)
    stdout.write(f"団体の編集者のサンプル {len(GROUPS)} 団体を用意しました。\n")


def _staff(stdout: TextIO) -> None:
    """The demo's administrator is town staff too, so approval requests reach them."""
    admin = get_user_model().objects.filter(username="admin").first()
    if admin is not None:
        admin.groups.add(services.staff_group())


def _editor(spec: dict[str, Any], organization: Organization, stdout: TextIO) -> None:
    User = get_user_model()
    user = User.objects.filter(username=spec["username"]).first()
    if user is None:
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(
            username=spec["username"],
            email=spec["email"],
            password=password,
            first_name="編集者（サンプル）",
            last_name=organization.name,
        )
        stdout.write(
            f"団体の編集者（{organization.name}）を作成しました。パスワードは一度だけ表示されます:\n"
            f"  ユーザー名: {spec['username']}\n  パスワード: {password}\n"
        )
    else:
        stdout.write(
            f"団体の編集者 {spec['username']} は作成済みです（パスワードは変更していません）。\n"
        )
    user.groups.add(services.editors_group(organization))


def _event(spec: dict[str, Any], organization: Organization) -> None:
    section = CalendarSectionPage.objects.filter(organization=organization).first()
    if section is None or EventPage.objects.child_of(section).filter(slug=spec["slug"]).exists():
        return
    day = timezone.localdate() + dt.timedelta(days=spec["in_days"])
    tz = timezone.get_default_timezone()
    page = EventPage(
        slug=spec["slug"],
        title=spec["title"],
        summary=spec["summary"],
        start=dt.datetime.combine(day, dt.time.fromisoformat(spec["start"]), tzinfo=tz),
        end=dt.datetime.combine(day, dt.time.fromisoformat(spec["end"]), tzinfo=tz),
        for_children=spec.get("for_children", False),
        for_everyone=spec.get("for_everyone", False),
        is_sample=True,
    )
    section.add_child(instance=page)
    page.save_revision().publish()


def _activity(spec: dict[str, Any], organization: Organization) -> None:
    section = DirectorySectionPage.objects.filter(organization=organization).first()
    if section is None or ActivityPage.objects.child_of(section).filter(slug=spec["slug"]).exists():
        return
    page = ActivityPage(
        slug=spec["slug"],
        title=spec["title"],
        summary=spec["summary"],
        area=Area.objects.filter(name=spec["area"]).first(),
        for_elderly=True,
        is_sample=True,
        assured_date=timezone.localdate() - dt.timedelta(days=90),
    )
    page.schedule_rules.add(ScheduleRule(**spec["schedule"]))
    page.tags.set(Term.objects.filter(name__in=spec["tags"]))
    section.add_child(instance=page)
    page.save_revision().publish()
