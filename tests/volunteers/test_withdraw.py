"""Withdrawal erases the person and keeps anonymous counts; their places go to the waiting list."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.resources.factories import AreaFactory, TermFactory
from volunteers import services
from volunteers.links import Purpose, link_token
from volunteers.models import HoursEntry, SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity


@pytest.mark.django_db
def test_withdrawing_erases_personal_data_and_keeps_counts(
    client, django_capture_on_commit_callbacks, django_user_model
):
    volunteer = VolunteerFactory(
        name="辞める 人",
        kana="やめる ひと",
        phone="0997-11-2222",
        area=AreaFactory(),
        skills=[TermFactory()],
        languages="英語",
        notes="メモ",
        public_profile=True,
        display_name="やめ",
        public_message="ひとこと",
        slots=[(1, "morning")],
        status=Volunteer.Status.PENDING,
    )
    services.volunteer_approve(
        volunteer=volunteer, by=django_user_model.objects.create_user("staff")
    )
    shift = make_opportunity(shifts=[{"slots": 1}]).shifts.get()
    mine = SignUp.objects.create(volunteer=volunteer, shift=shift, status="confirmed")
    waiting = SignUp.objects.create(volunteer=VolunteerFactory(), shift=shift, status="waitlisted")
    HoursEntry.objects.create(
        volunteer=volunteer, date="2026-04-01", hours=2, source="self", description="浜で拾った"
    )
    old_calendar = volunteer.calendar_token
    client.get(
        reverse(
            "volunteers:link_manage", args=[link_token(purpose=Purpose.MANAGE, volunteer=volunteer)]
        )
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("volunteers:me_withdraw"))

    assert "個人情報を消去しました" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.WITHDRAWN
    for field in (
        "name",
        "kana",
        "email",
        "phone",
        "languages",
        "notes",
        "display_name",
        "public_message",
    ):
        assert getattr(volunteer, field) == "", field
    assert volunteer.area is None and volunteer.availability == 0
    assert not volunteer.skills.exists() and not volunteer.public_profile
    # Anonymous counts stay: the sign-up (cancelled) and the hours, without the description.
    mine.refresh_from_db()
    assert mine.status == SignUp.Status.CANCELLED
    entry = HoursEntry.objects.get(volunteer=volunteer)
    assert entry.hours == 2 and entry.description == ""
    # Their place went to the person waiting, who was told.
    waiting.refresh_from_db()
    assert waiting.status == SignUp.Status.CONFIRMED
    assert [m.to for m in mail.outbox] == [[waiting.volunteer.email]]
    # Links, session, calendar and admin history no longer carry or reach the person.
    assert client.get(reverse("volunteers:me")).status_code == 302
    assert client.get(reverse("volunteers:calendar", args=[old_calendar])).status_code == 404
    labels = ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Volunteer), object_id=str(volunteer.pk)
    ).values_list("label", flat=True)
    assert labels and all("辞める" not in label for label in labels)
