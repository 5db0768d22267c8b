"""Registration: Japanese input as typed, explicit consent, no membership leak, staff told."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from outbox import services as outbox
from outbox.models import Message
from tests.resources.factories import AreaFactory, TermFactory
from volunteers import emails, services
from volunteers.availability import slots_to_mask
from volunteers.forms import DetailsForm, RegistrationForm
from volunteers.models import PRIVACY_NOTICE_VERSION, Volunteer

from .factories import VolunteerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_data():
    area = AreaFactory(name="喜美留")
    term = TermFactory(name="農作業")
    return {
        "name": "和泊　花子",
        "kana": "ﾜﾄﾞﾏﾘ ﾊﾅｺ",
        "email": "ＨＡＮＡＫＯ＠ＥＸＡＭＰＬＥ.jp",
        "phone": "０９０－１２３４－５６７８",
        "area": str(area.pk),
        "age_band": "60s",
        "skills": [str(term.pk)],
        "availability": ["2-morning", "5-afternoon"],
        "travel_range": "town",
        "willing_to_accompany": "on",
        "notes": "腰が悪いので力仕事は少しだけ。",
        "consent": "on",
    }


def test_full_width_and_half_width_input_is_normalised(form_data):
    form = RegistrationForm(form_data)

    assert form.is_valid(), form.errors
    data = form.cleaned_data
    assert data["name"] == "和泊 花子"
    assert data["kana"] == "わどまり はなこ"
    assert data["email"] == "hanako@example.jp"
    assert data["phone"] == "090-1234-5678"
    details = DetailsForm(form_data)  # step two: what they can do and when
    assert details.is_valid(), details.errors
    assert details.cleaned_data["availability"] == slots_to_mask([(2, "morning"), (5, "afternoon")])


def test_consent_is_required_with_a_japanese_message(form_data):
    del form_data["consent"]

    form = RegistrationForm(form_data)

    assert not form.is_valid()
    assert form.errors["consent"] == ["個人情報の取り扱いへの同意が必要です。"]


def test_an_email_or_a_telephone_number_is_required(form_data):
    form_data.update(email="", phone="")

    form = RegistrationForm(form_data)

    assert not form.is_valid()
    assert "メールアドレスか電話番号" in form.errors["email"][0]


@pytest.mark.parametrize("kana", ["Hanako", "花子", "はなこ123"])
def test_kana_must_be_kana(form_data, kana):
    form_data["kana"] = kana

    assert "kana" in RegistrationForm(form_data).errors


def test_a_bad_phone_number_is_refused(form_data):
    form_data["phone"] = "12-34"

    assert "phone" in RegistrationForm(form_data).errors


def test_registering_stores_consent_and_waits_for_approval(
    client, form_data, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("volunteers:register"), form_data)
        client.post(response["Location"], form_data)  # step two: what they can do and when

    assert response.status_code == 302
    volunteer = Volunteer.objects.get()
    assert volunteer.status == Volunteer.Status.PENDING
    assert volunteer.consent_at is not None
    assert volunteer.privacy_notice_version == PRIVACY_NOTICE_VERSION
    assert list(volunteer.skills.values_list("name", flat=True)) == ["農作業"]
    assert volunteer.willing_to_accompany
    assert mail.outbox[0].to == ["hanako@example.jp"]
    assert "受け付けました" in mail.outbox[0].subject


def test_coordinators_are_told_without_personal_details(
    client, form_data, django_capture_on_commit_callbacks, django_user_model
):
    coordinators = Group.objects.create(name="担当")
    coordinators.permissions.add(Permission.objects.get(codename="change_volunteer"))
    staff = django_user_model.objects.create_user("yakuba", "staff@example.jp", "x")
    staff.groups.add(coordinators)
    django_user_model.objects.create_user("other", "other@example.jp", "x")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:register"), form_data)

    to_staff = [m for m in mail.outbox if m.to == ["staff@example.jp"]]
    assert len(to_staff) == 1
    assert not [m for m in mail.outbox if "other@example.jp" in m.to]
    body = to_staff[0].body
    assert "/admin/volunteer_register/inspect/" in body
    for secret in ("和泊", "hanako", "090", "腰"):
        assert secret not in body


def test_an_address_already_registered_gets_a_link_not_a_duplicate_or_a_warning(
    client, form_data, django_capture_on_commit_callbacks
):
    VolunteerFactory(email="hanako@example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("volunteers:register"), form_data, follow=True)

    assert Volunteer.objects.count() == 1
    assert "登録を受け付けました" in response.content.decode()
    assert "すでに登録されています" in mail.outbox[0].subject
    assert "/volunteers/link/" in mail.outbox[0].body


def test_the_form_shows_the_privacy_notice_and_purpose(client):
    html = client.get(reverse("volunteers:register")).content.decode()

    assert "個人情報の取り扱いについて" in html
    assert "利用目的" in html
    assert 'type="tel"' in html and 'autocomplete="email"' in html
    step_two = client.get(reverse("volunteers:register_done")).content.decode()
    assert "<legend>月曜</legend>" in step_two


def test_asking_for_a_link_never_says_whether_an_address_is_registered(
    client, django_capture_on_commit_callbacks
):
    VolunteerFactory(email="known@example.jp")

    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("volunteers:link_request"), {"email": "KNOWN@example.jp"})
        unknown = client.post(reverse("volunteers:link_request"), {"email": "nobody@example.jp"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["known@example.jp"]]


def test_registering_twice_sends_the_welcome_and_tells_coordinators_once(
    client, form_data, django_capture_on_commit_callbacks, django_user_model
):
    django_user_model.objects.create_superuser("boss", "boss@example.jp", "x")

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:register"), form_data)
        client.post(reverse("volunteers:register"), form_data)

    kinds = sorted(Message.objects.values_list("kind", flat=True))
    assert kinds == sorted([emails.REGISTERED, emails.NEW_REGISTRATION, emails.ALREADY_REGISTERED])
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
    assert sorted(m.to[0] for m in mail.outbox) == [
        "boss@example.jp", "hanako@example.jp", "hanako@example.jp",
    ]  # fmt: skip


def test_someone_who_registers_with_only_a_phone_is_called_back(
    client, form_data, django_capture_on_commit_callbacks
):
    form_data["email"] = ""

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:register"), form_data)

    welcome = Message.objects.get(kind=emails.REGISTERED)
    assert welcome.status == Message.Status.TO_CALL
    assert mail.outbox == []


def test_the_coordinators_notice_is_dropped_once_the_registration_is_dealt_with(
    django_user_model,
):
    django_user_model.objects.create_superuser("boss", "boss@example.jp", "x")
    volunteer = services.volunteer_register(
        fields={"name": "遅い 通知", "kana": "おそい つうち", "email": "late@example.jp"},
        skills=[],
        consent=True,
    )  # not committed: the notice waits
    services.volunteer_approve(volunteer=volunteer, by=None)
    notice = Message.objects.get(kind=emails.NEW_REGISTRATION)

    assert outbox.deliver_one(notice.pk) == "cancelled"
    notice.refresh_from_db()
    assert "承認待ち" in notice.reason
    assert not [m for m in mail.outbox if "boss@example.jp" in m.to]


def test_no_coordinator_with_an_address_is_said_not_silently_skipped():
    services.volunteer_register(
        fields={"name": "誰も いない", "kana": "だれも いない", "email": "alone@example.jp"},
        skills=[],
        consent=True,
    )
    notice = Message.objects.get(kind=emails.NEW_REGISTRATION)

    assert outbox.deliver_one(notice.pk) == "cancelled"
    notice.refresh_from_db()
    assert "担当者" in notice.reason


def test_queued_messages_hold_ids_not_personal_details(
    client, form_data, django_capture_on_commit_callbacks, django_user_model
):
    django_user_model.objects.create_superuser("boss", "boss@example.jp", "x")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteers:register"), form_data)
    services.volunteer_withdraw(volunteer=Volunteer.objects.get())

    rows = list(Message.objects.values())
    assert len(rows) == 2
    # Timestamps left out: their digits can spell a phone number's "090".
    stored = " ".join(
        str(value) for row in rows for value in row.values() if not isinstance(value, dt.datetime)
    )
    for secret in ("和泊", "わどまり", "hanako", "090", "腰", "喜美留", "農作業"):
        assert secret not in stored
