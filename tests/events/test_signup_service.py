"""signup_create and signup_cancel: the rules, in Japanese, and nothing written on refusal."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from events.models import EventPage, EventSignup
from events.services import signup_cancel, signup_create

from .factories import EventPageFactory, EventSignupFactory, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(calendar) -> EventPage:
    return EventPageFactory(
        title="ゆり畑ボランティア", start=at("2026-12-10", "08:00"), how_to_apply="form",
        capacity=5, application_deadline=at("2026-12-08", "17:00"),
    )  # fmt: skip


def _refused(**kwargs) -> dict[str, list[str]]:
    before = EventSignup.objects.count()
    with pytest.raises(ValidationError) as caught:
        signup_create(**kwargs)
    assert EventSignup.objects.count() == before
    return caught.value.message_dict


def test_takes_a_signup_and_normalises_what_was_typed(event):
    signup = signup_create(
        event=event, name=" 和泊　ﾀﾛｳ ", kana="ﾜﾄﾞﾏﾘ ﾀﾛｳ", phone="０９０ー１２３４ー５６７８",
        email="ＴＡＲＯ＠Example.JP", party_size=2, note="車いすで行きます",
    )  # fmt: skip
    signup.refresh_from_db()
    assert (signup.name, signup.kana) == ("和泊 タロウ", "ワドマリ タロウ")
    assert (signup.phone, signup.email) == ("090-1234-5678", "taro@example.jp")
    assert signup.party_size == 2 and signup.token and signup.cancelled_at is None


def test_needs_a_phone_or_an_email(event):
    errors = _refused(event=event, name="和泊 花子")
    assert errors["phone"] == ["電話番号かメールアドレスのどちらかを入力してください。"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "電話ください", "電話番号は数字で入力してください（例: 0997-84-0000）。"),
        ("phone", "0997", "電話番号は数字で入力してください（例: 0997-84-0000）。"),
        ("email", "hanako@", "有効なメールアドレスを入力してください。"),
        ("kana", "Hanako", "ふりがなは、ひらがなかカタカナで入力してください。"),
        ("party_size", 0, "この値は 1 以上でなければなりません。"),
        ("party_size", 21, "この値は 20 以下でなければなりません。"),
        ("name", "", "このフィールドは空ではいけません。"),
    ],
)
def test_bad_input_is_refused_in_japanese(event, field, value, message):
    kwargs = {"event": event, "name": "和泊 花子", "phone": "0997-84-0000", field: value}
    assert _refused(**kwargs)[field] == [message]


def test_capacity_counts_party_sizes_and_ignores_cancelled(event):
    first = signup_create(event=event, name="一郎", phone="0997840001", party_size=3)
    errors = _refused(event=event, name="二郎", phone="0997840002", party_size=3)
    assert errors["party_size"] == ["残りは 2 人分です。"]
    signup_create(event=event, name="三郎", phone="0997840003", party_size=2)
    assert _refused(event=event, name="四郎", phone="0997840004")["__all__"] == [
        "申し訳ありません。この催しは定員に達しました。"
    ]
    signup_cancel(signup=first)
    signup_create(event=event, name="四郎", phone="0997840004", party_size=3)


def test_no_capacity_means_no_limit_on_seats(event):
    event.capacity = None
    event.save_revision().publish()
    signup_create(event=event, name="大人数", phone="0997840001", party_size=10)
    signup_create(event=event, name="大人数2", phone="0997840002", party_size=10)


def test_one_signup_brings_at_most_the_party_size_setting(event, settings):
    event.capacity = None
    event.save_revision().publish()
    settings.EVENT_SIGNUP_MAX_PARTY_SIZE = 4
    errors = _refused(event=event, name="大人数", phone="0997840001", party_size=5)
    assert errors["party_size"] == [
        "1件のお申し込みは4人までです。それより多い場合は、主催者に直接ご連絡ください。"
    ]
    signup_create(event=event, name="家族", phone="0997840002", party_size=4)


def test_one_signup_takes_at_most_half_of_a_limited_event(event):
    event.capacity = 50
    event.save_revision().publish()
    errors = _refused(event=event, name="大人数", phone="0997840001", party_size=11)
    assert "10人まで" in errors["party_size"][0]  # the setting (10) is below half (25)
    event.capacity = 6
    event.save_revision().publish()
    errors = _refused(event=event, name="大人数", phone="0997840001", party_size=4)
    assert "3人まで" in errors["party_size"][0]
    signup_create(event=event, name="家族", phone="0997840002", party_size=3)
    # Against the capacity, not the seats left: a family may still take the last three.
    signup_create(event=event, name="家族2", phone="0997840003", party_size=3)
    assert event.seats_left() == 0


def test_deadline_is_enforced(event):
    signup_create(event=event, name="間に合う", phone="0997840001", now=at("2026-12-08", "17:00"))
    errors = _refused(event=event, name="遅い", phone="0997840002", now=at("2026-12-08", "17:01"))
    assert errors["__all__"] == ["この催しの申込は締め切りました。"]


def test_closed_once_the_event_has_started_even_without_a_deadline(event):
    event.application_deadline = None
    event.save_revision().publish()
    errors = _refused(event=event, name="当日", phone="0997840001", now=at("2026-12-10", "08:00"))
    assert errors["__all__"] == ["この催しの申込は締め切りました。"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cancelled": True}, "この催しは申込を受け付けていません。"),
        ({"how_to_apply": "phone", "phone": "0997-84-0000"},
         "この催しはインターネットでの申込を受け付けていません。"),
    ],
)  # fmt: skip
def test_only_open_form_events_take_signups(event, change, message):
    for name, value in change.items():
        setattr(event, name, value)
    event.save_revision().publish()
    assert _refused(event=event, name="花子", phone="0997840001")["__all__"] == [message]


def test_unpublished_events_take_no_signups(event):
    event.unpublish()
    assert _refused(event=event, name="花子", phone="0997840001")["__all__"] == [
        "この催しは申込を受け付けていません。"
    ]


def test_cancel_is_idempotent(event, now):
    signup = EventSignupFactory(event=event)
    signup_cancel(signup=signup)
    first = EventSignup.objects.get(pk=signup.pk).cancelled_at
    signup_cancel(signup=signup, now=now + dt.timedelta(hours=1))
    assert EventSignup.objects.get(pk=signup.pk).cancelled_at == first == now


def test_str_names_no_one(event):
    signup = signup_create(event=event, name="和泊 花子", phone="0997840001")
    assert str(signup) == f"申込 #{signup.pk}"
