"""Hours: logged by the volunteer, confirmed from a shift, approved by staff, totalled."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.resources.factories import OrganizationFactory
from volunteers import selectors, services
from volunteers.links import Purpose, link_token
from volunteers.models import HoursEntry

from .factories import VolunteerFactory

pytestmark = pytest.mark.django_db


def _entry(volunteer, when, hours, organization=None, status=HoursEntry.Status.APPROVED):
    return HoursEntry.objects.create(
        volunteer=volunteer,
        date=when,
        hours=Decimal(hours),
        organization=organization,
        source=HoursEntry.Source.SELF,
        status=status,
    )


def test_a_volunteer_logs_hours_that_wait_for_approval():
    volunteer = VolunteerFactory()

    entry = services.hours_log(
        volunteer=volunteer, date=timezone.localdate(), hours=Decimal("1.5"), description="草刈り"
    )

    assert entry.status == HoursEntry.Status.PENDING
    assert entry.volunteer_confirmed


def test_hours_cannot_be_logged_for_the_future():
    with pytest.raises(ValidationError):
        services.hours_log(
            volunteer=VolunteerFactory(),
            date=timezone.localdate() + dt.timedelta(days=1),
            hours=Decimal(1),
        )


def test_staff_approve_only_pending_hours(django_user_model):
    staff = django_user_model.objects.create_user("staff")
    volunteer = VolunteerFactory()
    pending = _entry(volunteer, timezone.localdate(), "2", status=HoursEntry.Status.PENDING)
    rejected = _entry(volunteer, timezone.localdate(), "3", status=HoursEntry.Status.REJECTED)

    count = services.hours_review(entry_ids=[pending.pk, rejected.pk], approve=True, by=staff)

    assert count == 1
    pending.refresh_from_db()
    rejected.refresh_from_db()
    assert pending.status == HoursEntry.Status.APPROVED and pending.reviewed_by == staff
    assert rejected.status == HoursEntry.Status.REJECTED


def test_totals_per_volunteer_organisation_and_month_count_approved_hours_only():
    umi, hatake = OrganizationFactory(name="海の会"), OrganizationFactory(name="畑の会")
    hanako, taro = VolunteerFactory(name="花子"), VolunteerFactory(name="太郎")
    _entry(hanako, dt.date(2026, 4, 3), "2", umi)
    _entry(hanako, dt.date(2026, 4, 20), "1.5", hatake)
    _entry(taro, dt.date(2026, 5, 1), "3", umi)
    _entry(taro, dt.date(2026, 5, 2), "4", None)
    _entry(taro, dt.date(2026, 5, 3), "9", umi, status=HoursEntry.Status.PENDING)

    by_volunteer = {t.label: t.hours for t in selectors.hours_totals(by="volunteer")}
    by_org = {t.label: t.hours for t in selectors.hours_totals(by="organization")}
    by_month = [(t.key, t.label, t.hours) for t in selectors.hours_totals(by="month")]

    assert by_volunteer == {"花子": Decimal("3.5"), "太郎": Decimal("7")}
    assert by_org == {"海の会": Decimal("5"), "畑の会": Decimal("1.5"), "団体なし": Decimal("4")}
    assert by_month == [
        (dt.date(2026, 4, 1), "2026年4月", Decimal("3.5")),
        (dt.date(2026, 5, 1), "2026年5月", Decimal("7")),
    ]
    april = selectors.hours_totals(
        by="month", since=dt.date(2026, 4, 1), until=dt.date(2026, 4, 30)
    )
    assert [t.hours for t in april] == [Decimal("3.5")]


def test_withdrawn_volunteers_hours_still_count_anonymously():
    volunteer = VolunteerFactory(name="退会 する")
    _entry(volunteer, dt.date(2026, 4, 3), "2")

    services.volunteer_withdraw(volunteer=volunteer)

    (total,) = selectors.hours_totals(by="volunteer")
    assert total.hours == Decimal("2")
    assert "退会 する" not in total.label and "退会したボランティア" in total.label


def test_the_hours_link_lets_the_volunteer_correct_shift_hours(client):
    volunteer = VolunteerFactory()
    entry = _entry(volunteer, timezone.localdate(), "3", status=HoursEntry.Status.PENDING)
    url = reverse(
        "volunteers:link_hours",
        args=[link_token(purpose=Purpose.HOURS, volunteer=volunteer, object_id=entry.pk)],
    )

    assert client.get(url).status_code == 200
    response = client.post(url, {"hours": "２.５"})

    entry.refresh_from_db()
    assert entry.hours == Decimal("2.5") and entry.volunteer_confirmed
    assert "承認に回しました" in response.content.decode()


def test_my_page_logs_other_volunteering(client):
    volunteer = VolunteerFactory()
    client.post(
        reverse(
            "volunteers:link_manage", args=[link_token(purpose=Purpose.MANAGE, volunteer=volunteer)]
        )
    )

    response = client.post(
        reverse("volunteers:me_hours"),
        {"date": timezone.localdate().isoformat(), "hours": "1.25", "description": "草刈り"},
    )

    assert response.status_code == 302
    entry = HoursEntry.objects.get(volunteer=volunteer)
    assert entry.hours == Decimal("1.25") and entry.source == HoursEntry.Source.SELF
