"""Magic links: signed, expiring, single-purpose, bound to one volunteer, revocable."""

import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from volunteers import services
from volunteers.links import LinkError, Purpose, link_read, link_token, max_age
from volunteers.models import SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity

pytestmark = pytest.mark.django_db


def test_a_link_names_its_volunteer_and_object():
    volunteer = VolunteerFactory()
    token = link_token(purpose=Purpose.CANCEL, volunteer=volunteer, object_id=42)

    claim = link_read(purpose=Purpose.CANCEL, token=token)

    assert claim.volunteer == volunteer
    assert claim.object_id == 42


@pytest.mark.parametrize("purpose", list(Purpose))
def test_links_expire(purpose):
    volunteer = VolunteerFactory()
    token = link_token(purpose=purpose, volunteer=volunteer)

    with time_machine.travel(timezone.now() + max_age(purpose) + dt.timedelta(minutes=1)):
        with pytest.raises(LinkError) as error:
            link_read(purpose=purpose, token=token)

    assert error.value.expired


@pytest.mark.parametrize(
    ("made_for", "used_as"),
    [
        (Purpose.CANCEL, Purpose.MANAGE),
        (Purpose.MANAGE, Purpose.SIGNUP),
        (Purpose.HOURS, Purpose.CANCEL),
    ],
)
def test_a_link_works_only_for_its_purpose(made_for, used_as):
    token = link_token(purpose=made_for, volunteer=VolunteerFactory(), object_id=1)

    with pytest.raises(LinkError) as error:
        link_read(purpose=used_as, token=token)

    assert not error.value.expired


def test_a_link_cannot_be_rewritten_for_another_volunteer():
    mine, theirs = VolunteerFactory(), VolunteerFactory()
    token = link_token(purpose=Purpose.MANAGE, volunteer=mine)
    payload, _, signature = token.partition(":")
    forged_payload = signing.b64_encode(
        signing.JSONSerializer().dumps({"v": theirs.pk, "n": 1, "o": None})
    ).decode()

    with pytest.raises(LinkError):
        link_read(purpose=Purpose.MANAGE, token=f"{forged_payload}:{signature}")


def test_revoking_kills_every_link_sent_so_far():
    volunteer = VolunteerFactory()
    token = link_token(purpose=Purpose.MANAGE, volunteer=volunteer)

    services.volunteer_revoke_links(volunteer=volunteer)

    with pytest.raises(LinkError):
        link_read(purpose=Purpose.MANAGE, token=token)
    assert (
        link_read(
            purpose=Purpose.MANAGE, token=link_token(purpose=Purpose.MANAGE, volunteer=volunteer)
        ).volunteer
        == volunteer
    )


def test_a_withdrawn_volunteer_has_no_working_link():
    volunteer = VolunteerFactory()
    token = link_token(purpose=Purpose.MANAGE, volunteer=volunteer)

    services.volunteer_withdraw(volunteer=volunteer)

    with pytest.raises(LinkError):
        link_read(purpose=Purpose.MANAGE, token=token)


def test_a_cancel_link_cannot_cancel_another_volunteers_sign_up(client):
    shift = make_opportunity().shifts.get()
    mine = SignUp.objects.create(
        volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED
    )
    theirs = SignUp.objects.create(
        volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED
    )
    # A genuine token of mine, naming their sign-up: signed, but for the wrong person.
    token = link_token(purpose=Purpose.CANCEL, volunteer=mine.volunteer, object_id=theirs.pk)

    response = client.post(reverse("volunteers:link_cancel", args=[token]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == SignUp.Status.CONFIRMED


def test_opening_a_cancel_link_changes_nothing_until_the_button_is_pressed(client):
    shift = make_opportunity().shifts.get()
    signup = SignUp.objects.create(
        volunteer=VolunteerFactory(), shift=shift, status=SignUp.Status.CONFIRMED
    )
    url = reverse(
        "volunteers:link_cancel",
        args=[link_token(purpose=Purpose.CANCEL, volunteer=signup.volunteer, object_id=signup.pk)],
    )

    client.get(url)  # what a mail scanner does
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CONFIRMED

    response = client.post(url)
    signup.refresh_from_db()
    assert signup.status == SignUp.Status.CANCELLED
    assert "申込を取り消しました" in response.content.decode()


def test_an_invalid_link_says_so_in_japanese_and_offers_a_new_one(client):
    response = client.get(reverse("volunteers:link_manage", args=["not-a-token"]))

    assert response.status_code == 403
    html = response.content.decode()
    assert "このリンクは使えません" in html
    assert 'name="email"' in html


def test_an_expired_link_says_it_expired(client):
    volunteer = VolunteerFactory()
    token = link_token(purpose=Purpose.MANAGE, volunteer=volunteer)

    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        response = client.get(reverse("volunteers:link_manage", args=[token]))

    assert response.status_code == 403
    assert "有効期限が切れています" in response.content.decode()


def test_a_manage_link_opens_my_page_and_leaves_the_address_bar(client):
    volunteer = VolunteerFactory(name="窓口 花子")
    token = link_token(purpose=Purpose.MANAGE, volunteer=volunteer)

    response = client.post(reverse("volunteers:link_manage", args=[token]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("volunteers:me")
    assert "窓口 花子 さんのマイページ" in response.content.decode()
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]
    )


def test_my_page_closes_when_links_are_revoked(client):
    volunteer = VolunteerFactory()
    client.post(
        reverse(
            "volunteers:link_manage", args=[link_token(purpose=Purpose.MANAGE, volunteer=volunteer)]
        )
    )
    assert client.get(reverse("volunteers:me")).status_code == 200

    services.volunteer_revoke_links(volunteer=Volunteer.objects.get(pk=volunteer.pk))

    assert client.get(reverse("volunteers:me")).status_code == 302
