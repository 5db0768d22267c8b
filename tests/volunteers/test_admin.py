"""The coordinators' workspace: the register with its filters, approval, erasure, hours."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.urls import reverse

from outbox.models import Message
from tests.resources.factories import AreaFactory, TermFactory
from tests.support.english import english_in
from volunteers import emails
from volunteers.demo import COORDINATOR_PERMISSIONS
from volunteers.models import HoursEntry, SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, coordinator):
    client.force_login(coordinator)
    return client


def _names(response) -> set[str]:
    html = response.content.decode()
    return {v.name for v in Volunteer.objects.all() if v.name in html}


def test_the_register_is_in_the_coordinators_menu(admin_client):
    html = admin_client.get(reverse("wagtailadmin_home")).content.decode()

    assert reverse("volunteer_register:index") in html


def test_filters_by_skill_district_availability_and_active(admin_client):
    farming = TermFactory(name="農作業")
    kibiru = AreaFactory(name="喜美留")
    VolunteerFactory(name="全部 合う", skills=[farming], area=kibiru, slots=[(2, "morning")])
    VolunteerFactory(name="技能 だけ", skills=[farming], slots=[(4, "evening")])
    VolunteerFactory(
        name="休止 中",
        skills=[farming],
        area=kibiru,
        slots=[(2, "morning")],
        status=Volunteer.Status.PAUSED,
    )
    url = reverse("volunteer_register:index")

    assert _names(admin_client.get(url, {"skills": farming.pk})) == {
        "全部 合う",
        "技能 だけ",
        "休止 中",
    }
    assert _names(admin_client.get(url, {"area": kibiru.pk})) == {"全部 合う", "休止 中"}
    assert _names(admin_client.get(url, {"availability": ["2-morning", "6-morning"]})) == {
        "全部 合う",
        "休止 中",
    }
    assert _names(
        admin_client.get(url, {"skills": farming.pk, "availability": "2-morning", "active": "true"})
    ) == {"全部 合う"}


def test_approving_sends_the_confirmation_email(admin_client, django_capture_on_commit_callbacks):
    volunteer = VolunteerFactory(status=Volunteer.Status.PENDING)
    url = reverse("volunteer_register:approve", args=[volunteer.pk])

    assert admin_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)

    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE
    assert volunteer.approved_by.username == "coord"
    assert mail.outbox[0].to == [volunteer.email]
    assert "承認しました" in mail.outbox[0].subject
    assert "/volunteers/link/" in mail.outbox[0].body


def test_the_list_offers_approve_for_pending_registrations(admin_client):
    pending = VolunteerFactory(status=Volunteer.Status.PENDING)

    html = admin_client.get(reverse("volunteer_register:index")).content.decode()

    assert reverse("volunteer_register:approve", args=[pending.pk]) in html


def test_erasing_from_the_admin_keeps_the_anonymous_row(admin_client):
    volunteer = VolunteerFactory(name="消す 人")

    admin_client.post(reverse("volunteer_register:withdraw", args=[volunteer.pk]))

    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.WITHDRAWN and volunteer.name == ""
    assert "消す 人" not in admin_client.get(reverse("volunteer_register:index")).content.decode()


def test_hard_delete_is_not_offered(admin_client, django_user_model):
    volunteer = VolunteerFactory()
    superuser = django_user_model.objects.create_superuser("root", "root@example.jp", "pw")
    admin_client.force_login(superuser)

    response = admin_client.post(reverse("volunteer_register:delete", args=[volunteer.pk]))

    assert response.status_code in {302, 403}
    assert Volunteer.objects.filter(pk=volunteer.pk).exists()


def test_sign_ups_are_read_only_but_can_be_cancelled_for_someone_who_phones(admin_client):
    shift = make_opportunity().shifts.get()
    signup = SignUp.objects.create(
        volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED
    )

    assert admin_client.get(reverse("volunteer_signups:index")).status_code == 200
    assert admin_client.get(reverse("volunteer_signups:edit", args=[signup.pk])).status_code in {
        302,
        403,
    }
    admin_client.post(reverse("volunteer_signups:cancel", args=[signup.pk]))

    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED


def test_pending_hours_are_approved_in_one_go(admin_client):
    volunteer = VolunteerFactory()
    entries = [
        HoursEntry.objects.create(
            volunteer=volunteer, date="2026-04-01", hours=Decimal(2), source="self"
        )
        for _ in range(3)
    ]
    url = reverse("volunteer_hours_review:index")

    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"entry": [e.pk for e in entries[:2]], "action": "approve"})

    statuses = [HoursEntry.objects.get(pk=e.pk).status for e in entries]
    assert statuses == ["approved", "approved", "pending"]
    totals = admin_client.get(reverse("volunteer_hours_review:totals"), {"by": "volunteer"})
    assert volunteer.name in totals.content.decode()


def test_staff_can_register_someone_who_telephoned_only_with_consent_on_record(admin_client):
    url = reverse("volunteer_register:add")
    data = {
        "name": "電話 登録",
        "kana": "でんわ とうろく",
        "phone": "0997-84-1111",
        "travel_range": "town",
    }

    refused = admin_client.post(url, data)
    assert refused.status_code == 200 and not Volunteer.objects.exists()
    assert "同意" in refused.content.decode()

    admin_client.post(url, {**data, "consent_at": "2026-04-01 10:00"})
    assert Volunteer.objects.get().status == Volunteer.Status.PENDING


def test_approving_someone_without_email_puts_them_on_the_coordinators_call_list(
    client, django_capture_on_commit_callbacks, django_user_model
):
    group = Group.objects.create(name="ボランティア担当（デモと同じ権限）")
    for dotted in COORDINATOR_PERMISSIONS:
        app_label, codename = dotted.split(".")
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    coordinator = django_user_model.objects.create_user("caller", "caller@example.jp", "pw")
    coordinator.groups.add(group)
    client.force_login(coordinator)
    volunteer = VolunteerFactory(
        name="電話 登録", email="", phone="0997-84-1111", status=Volunteer.Status.PENDING
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("volunteer_register:approve", args=[volunteer.pk]))

    welcome = Message.objects.get(kind=emails.APPROVED)
    assert welcome.status == Message.Status.TO_CALL and mail.outbox == []
    calls = client.get(reverse("outbox:calls"))
    assert calls.status_code == 200
    html = calls.content.decode()
    assert "電話 登録" in html and "0997-84-1111" in html and "承認しました" in html

    client.post(reverse("outbox:calls"), {"done": [welcome.pk]})
    welcome.refresh_from_db()
    assert welcome.status == Message.Status.CALLED and welcome.called_by == coordinator


def test_yes_no_and_empty_fields_read_in_japanese(admin_client):
    volunteer = VolunteerFactory(willing_to_accompany=True, approved_by=None)

    listing = admin_client.get(reverse("volunteer_register:index")).content.decode()
    inspect = admin_client.get(reverse("volunteer_register:inspect", args=[volunteer.pk]))

    assert "はい" in listing and "True" not in listing
    assert "はい" in inspect.content.decode()
    assert not {"True", "False", "None"} & english_in(inspect.content.decode())
