"""My page: what a volunteer does after opening their link."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.resources.factories import TermFactory
from volunteers.links import Purpose, link_read, link_token
from volunteers.models import SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer():
    return VolunteerFactory(name="花井 花子", kana="はない はなこ", email="hanako@example.jp")


@pytest.fixture
def me(client, volunteer):
    url = reverse(
        "volunteers:link_manage", args=[link_token(purpose=Purpose.MANAGE, volunteer=volunteer)]
    )
    client.post(url)
    return client


def _profile_data(volunteer, **changes):
    data = {
        "name": volunteer.name,
        "kana": volunteer.kana,
        "email": volunteer.email,
        "phone": "",
        "travel_range": "town",
        "availability": [],
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_my_page_shows_my_sign_ups_hours_and_calendar(me, volunteer):
    shift = make_opportunity(title="海の清掃").shifts.get()
    SignUp.objects.create(volunteer=volunteer, shift=shift, status=SignUp.Status.CONFIRMED)

    response = me.get(reverse("volunteers:me"))

    html = response.content.decode()
    assert "海の清掃" in html
    assert volunteer.calendar_token in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_choosing_a_public_profile_needs_a_display_name(me, volunteer):
    response = me.post(reverse("volunteers:me_edit"), _profile_data(volunteer, public_profile="on"))

    assert response.status_code == 200
    assert "表示名を入力してください" in response.content.decode()


def test_editing_my_details_and_opting_in(me, volunteer):
    skill = TermFactory(name="三線")

    response = me.post(
        reverse("volunteers:me_edit"),
        _profile_data(
            volunteer,
            skills=[skill.pk],
            public_profile="on",
            display_name="はなちゃん",
            show_skills="on",
        ),
    )

    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.public_profile and volunteer.display_name == "はなちゃん"
    assert list(volunteer.skills.all()) == [skill]


def test_asking_for_a_new_email_keeps_me_signed_in_and_my_links_working(me, volunteer):
    """Links are revoked when the new address confirms (tests/volunteers/test_link_safety.py)."""
    old_link = link_token(purpose=Purpose.CANCEL, volunteer=volunteer, object_id=1)

    me.post(reverse("volunteers:me_edit"), _profile_data(volunteer, email="new@example.jp"))

    assert link_read(purpose=Purpose.CANCEL, token=old_link).volunteer == volunteer
    assert me.get(reverse("volunteers:me")).status_code == 200


def test_pausing_and_coming_back(me, volunteer):
    me.post(reverse("volunteers:me_pause"), {"paused": "1"})
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.PAUSED

    me.post(reverse("volunteers:me_pause"), {"paused": "0"})
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.ACTIVE


def test_signing_up_from_the_public_page_while_my_page_is_open_needs_no_email(
    me, volunteer, django_capture_on_commit_callbacks
):
    shift = make_opportunity().shifts.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = me.post(reverse("volunteers:shift_signup", args=[shift.pk]), {"email": ""})

    assert response.status_code == 302
    assert SignUp.objects.get(volunteer=volunteer).status == SignUp.Status.CONFIRMED
    assert "申込が確定しました" in mail.outbox[0].subject


def test_cancelling_from_my_page(me, volunteer):
    signup = SignUp.objects.create(
        volunteer=volunteer, shift=make_opportunity().shifts.get(), status="confirmed"
    )

    me.post(reverse("volunteers:me_cancel", args=[signup.pk]))

    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED


def test_i_cannot_cancel_someone_elses_sign_up_from_my_page(me):
    other = SignUp.objects.create(
        volunteer=VolunteerFactory(), shift=make_opportunity().shifts.get(), status="confirmed"
    )

    response = me.post(reverse("volunteers:me_cancel", args=[other.pk]))

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == SignUp.Status.CONFIRMED


def test_signing_out_with_revoke_kills_emailed_links(me, volunteer):
    token = link_token(purpose=Purpose.MANAGE, volunteer=volunteer)

    me.post(reverse("volunteers:me_sign_out"), {"revoke": "1"})

    assert me.get(reverse("volunteers:me")).status_code == 302
    assert me.get(reverse("volunteers:link_manage", args=[token])).status_code == 403
