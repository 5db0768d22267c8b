"""Registration in two steps: the eight fields needed to take part, then — optional — what the
volunteer can do and when. The second step writes only to the record this browser just created;
a known address gets the same pages and changes nothing."""

import re
import time

import pytest
from django.urls import reverse

from tests.resources.factories import AreaFactory, TermFactory
from volunteers.availability import slots_to_mask
from volunteers.models import Volunteer
from volunteers.views import REGISTRATION_SESSION_KEY

from .factories import VolunteerFactory

pytestmark = pytest.mark.django_db

STEP_ONE = ["name", "kana", "phone", "email", "area", "age_band", "notes", "consent"]


@pytest.fixture
def step_one():
    return {
        "name": "島 ゆり子",
        "kana": "しま ゆりこ",
        "phone": "090-1234-5678",
        "email": "yuriko@example.jp",
        "area": str(AreaFactory(name="喜美留").pk),
        "age_band": "60s",
        "notes": "",
        "consent": "on",
    }


@pytest.fixture
def step_two():
    return {
        "skills": [str(TermFactory(name="農作業").pk)],
        "availability": ["2-morning"],
        "travel_range": "island",
        "has_car": "on",
    }


def _controls(html: str) -> list[str]:
    form = html[html.index("<form") : html.index("</form>")]
    names = re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', form)
    return [name for name in names if name != "csrfmiddlewaretoken"]


def test_the_first_step_asks_eight_fields_and_says_which(client):
    html = client.get(reverse("volunteers:register")).content.decode()
    assert _controls(html) == STEP_ONE
    assert "まずは参加に必要な8項目だけお聞きします" in html
    assert "<legend>月曜</legend>" not in html  # availability waits for step two


def test_the_second_step_saves_the_details_of_the_new_volunteer(client, step_one, step_two):
    response = client.post(reverse("volunteers:register"), step_one)
    assert response["Location"] == reverse("volunteers:register_done")
    html = client.get(response["Location"]).content.decode()
    assert "登録を受け付けました" in html and "（任意）" in html
    assert "skills" in _controls(html) and "availability" in _controls(html)

    saved = client.post(reverse("volunteers:register_done"), step_two)

    assert "登録が完了しました" in saved.content.decode()
    volunteer = Volunteer.objects.get()
    assert list(volunteer.skills.values_list("name", flat=True)) == ["農作業"]
    assert volunteer.availability == slots_to_mask([(2, "morning")])
    assert (volunteer.travel_range, volunteer.has_car) == ("island", True)
    # The step is over: posting again writes nothing.
    client.post(reverse("volunteers:register_done"), {**step_two, "travel_range": "district"})
    volunteer.refresh_from_db()
    assert volunteer.travel_range == "island"


def test_skipping_the_second_step_leaves_a_complete_registration(client, step_one):
    client.post(reverse("volunteers:register"), step_one)
    volunteer = Volunteer.objects.get()
    assert volunteer.status == Volunteer.Status.PENDING and volunteer.consent_at
    assert volunteer.travel_range == Volunteer.Travel.TOWN and not volunteer.skills.exists()


def test_a_known_address_gets_the_same_pages_and_its_record_is_untouched(
    client, step_one, step_two
):
    known = VolunteerFactory(email="yuriko@example.jp", travel_range="district")
    response = client.post(reverse("volunteers:register"), step_one)
    assert response["Location"] == reverse("volunteers:register_done")
    saved = client.post(reverse("volunteers:register_done"), step_two)
    assert "登録が完了しました" in saved.content.decode()
    known.refresh_from_db()
    assert known.travel_range == "district" and not known.skills.exists()
    assert Volunteer.objects.count() == 1


def test_the_second_step_expires(client, step_one, step_two, monkeypatch):
    client.post(reverse("volunteers:register"), step_one)
    later = time.time() + 31 * 60
    monkeypatch.setattr(time, "time", lambda: later)
    client.post(reverse("volunteers:register_done"), step_two)
    assert not Volunteer.objects.get().skills.exists()


def test_bad_details_get_japanese_errors_and_change_nothing(client, step_one):
    client.post(reverse("volunteers:register"), step_one)
    response = client.post(reverse("volunteers:register_done"), {"travel_range": "moon"})
    html = response.content.decode()
    assert "正しく選択してください" in html
    assert Volunteer.objects.get().travel_range == Volunteer.Travel.TOWN
    assert REGISTRATION_SESSION_KEY in client.session  # they may correct and save


def test_existing_volunteers_edit_everything_later_on_their_page(client):
    from volunteers.forms import ProfileForm

    assert {"skills", "availability", "travel_range", "notes", "area"} <= set(
        ProfileForm.base_fields
    )
