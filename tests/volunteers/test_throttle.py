"""Anonymous volunteer forms are throttled per address: registration, shift sign-up requests."""

import pytest
from django.urls import reverse

from tests.resources.factories import AreaFactory
from volunteers.models import Volunteer

from .factories import VolunteerFactory, make_opportunity

pytestmark = pytest.mark.django_db
THROTTLED = "短い時間にこの接続から多くのお申し込みがあったため"


def _registration(n: int, area) -> dict:
    return {
        "name": f"和泊 花子{n}", "kana": "わどまり はなこ", "email": f"hanako{n}@example.jp",
        "area": str(area.pk), "age_band": "60s", "travel_range": "town", "consent": "on",
    }  # fmt: skip


def test_registration_is_refused_with_429_after_the_allowance(client, settings):
    settings.PUBLIC_SIGNUP_THROTTLE_COUNT = 2
    area = AreaFactory(name="喜美留")
    url = reverse("volunteers:register")
    for n in range(2):
        assert client.post(url, _registration(n, area)).status_code == 302
    response = client.post(url, _registration(2, area))
    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    assert Volunteer.objects.count() == 2  # nothing stored for the refused one
    other = client.post(url, _registration(3, area), REMOTE_ADDR="192.0.2.8")
    assert other.status_code == 302


def test_shift_signup_requests_are_throttled_per_address_and_shift(client, settings, mailoutbox):
    settings.PUBLIC_SIGNUP_THROTTLE_COUNT = 1
    volunteer = VolunteerFactory(email="taro@example.jp")
    shifts = [make_opportunity().shifts.get(), make_opportunity().shifts.get()]
    url = reverse("volunteers:shift_signup", args=[shifts[0].pk])
    assert client.post(url, {"email": volunteer.email}).status_code == 200
    response = client.post(url, {"email": volunteer.email})
    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    second = reverse("volunteers:shift_signup", args=[shifts[1].pk])
    assert client.post(second, {"email": volunteer.email}).status_code == 200
