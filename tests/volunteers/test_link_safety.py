"""A leaked sign-in link is short-lived, works once, and cannot take the account over: a new
email address is used only once it confirms, and the old address is told."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from outbox.models import Message
from volunteers import emails
from volunteers.links import LinkError, Purpose, link_read, link_token
from volunteers.models import EmailChange, Volunteer

from .factories import VolunteerFactory

pytestmark = pytest.mark.django_db

OLD, NEW, NEWER = "hanako@example.jp", "hanako.new@example.jp", "hanako.newer@example.jp"
CONFIRM_LINK = re.compile(r"https?://\S+?(/volunteers/link/[^/\s]+/email/)")


@pytest.fixture
def volunteer():
    return VolunteerFactory(name="花井 花子", kana="はない はなこ", email=OLD)


def _sign_in_url(volunteer) -> str:
    return reverse(
        "volunteers:link_manage", args=[link_token(purpose=Purpose.MANAGE, volunteer=volunteer)]
    )


@pytest.fixture
def me(client, volunteer):
    client.post(_sign_in_url(volunteer))
    return client


def _profile(volunteer, **changes) -> dict:
    data = {"name": volunteer.name, "kana": volunteer.kana, "email": volunteer.email}
    data.update(travel_range="town", availability=[], **changes)
    return data


def _ask_for(me, volunteer, email, capture) -> None:
    with capture(execute=True):
        me.post(reverse("volunteers:me_edit"), _profile(volunteer, email=email))


def _mail_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def _confirm_path(address: str) -> str:
    return CONFIRM_LINK.search(_mail_to(address)[-1].body).group(1)


# --- sign-in links


def test_a_sign_in_link_lives_a_day_by_default(settings):
    assert settings.VOLUNTEER_SIGN_IN_LINK_HOURS == 24


def test_an_expired_sign_in_link_is_refused_in_japanese(client, volunteer, settings):
    settings.VOLUNTEER_SIGN_IN_LINK_HOURS = 24
    url = _sign_in_url(volunteer)

    with time_machine.travel(timezone.now() + dt.timedelta(hours=24, minutes=1)):
        response = client.post(url)

    assert response.status_code == 403
    assert "有効期限が切れています" in response.content.decode()
    assert client.get(reverse("volunteers:me")).status_code == 302


def test_a_sign_in_link_still_works_within_its_lifetime(client, volunteer):
    url = _sign_in_url(volunteer)

    with time_machine.travel(timezone.now() + dt.timedelta(hours=23)):
        assert client.post(url).status_code == 302
        assert client.get(reverse("volunteers:me")).status_code == 200


def test_a_used_sign_in_link_is_refused(client, volunteer):
    url = _sign_in_url(volunteer)
    client.post(url)
    client.cookies.clear()  # another browser: the one that found the link in a log

    response = client.post(url)

    assert response.status_code == 403
    assert "すでに使われています" in response.content.decode()
    assert client.get(reverse("volunteers:me")).status_code == 302


def test_using_a_sign_in_link_kills_the_older_ones(client, volunteer):
    older = _sign_in_url(volunteer)
    newer = _sign_in_url(Volunteer.objects.get(pk=volunteer.pk))
    # Same version: both are valid until one of them is used.
    client.post(newer)

    with pytest.raises(LinkError) as error:
        link_read(purpose=Purpose.MANAGE, token=older.rstrip("/").rsplit("/", 1)[-1])

    assert error.value.used


def test_opening_a_sign_in_link_does_not_use_it_up(client, volunteer):
    """Mail scanners open links: only the button signs in."""
    url = _sign_in_url(volunteer)

    page = client.get(url)

    assert page.status_code == 200
    assert "マイページを開く" in page.content.decode()
    assert client.get(reverse("volunteers:me")).status_code == 302
    assert client.post(url).status_code == 302
    assert client.get(reverse("volunteers:me")).status_code == 200


# --- changing the email address


def test_a_new_address_is_not_used_until_it_confirms(
    me, volunteer, django_capture_on_commit_callbacks
):
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)

    volunteer.refresh_from_db()
    assert volunteer.email == OLD
    assert EmailChange.objects.get(volunteer=volunteer).new_email == NEW


def test_the_new_address_gets_a_link_and_the_old_one_a_notice(
    me, volunteer, django_capture_on_commit_callbacks
):
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)

    (confirm,) = _mail_to(NEW)
    assert "新しいメールアドレスの確認" in confirm.subject
    assert "/volunteers/link/" in confirm.body
    assert "マイページ（" not in confirm.body  # no sign-in link to an unconfirmed address
    (notice,) = _mail_to(OLD)
    assert "メールアドレス変更のお申し出" in notice.subject
    assert "ha********@example.jp" in notice.body and NEW not in notice.body
    kinds = set(Message.objects.values_list("kind", flat=True))
    assert {emails.EMAIL_CHANGE_CONFIRM, emails.EMAIL_CHANGE_NOTICE} <= kinds


def test_confirming_from_the_new_address_changes_it(
    client, me, volunteer, django_capture_on_commit_callbacks
):
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)
    path = _confirm_path(NEW)
    other_browser = client.__class__()

    page = other_browser.get(path)
    assert page.status_code == 200 and NEW in page.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.email == OLD  # opening the link changes nothing

    response = other_browser.post(path, follow=True)

    volunteer.refresh_from_db()
    assert volunteer.email == NEW
    assert "新しいメールアドレスに変更しました" in response.content.decode()
    assert EmailChange.objects.get(volunteer=volunteer).confirmed_at is not None


def test_confirming_revokes_links_sent_to_the_old_address(
    client, me, volunteer, django_capture_on_commit_callbacks
):
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)
    cancel_link = link_token(purpose=Purpose.CANCEL, volunteer=volunteer, object_id=1)

    client.__class__().post(_confirm_path(NEW))

    with pytest.raises(LinkError):
        link_read(purpose=Purpose.CANCEL, token=cancel_link)


def test_a_confirmation_link_works_once(client, me, volunteer, django_capture_on_commit_callbacks):
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)
    path = _confirm_path(NEW)
    browser = client.__class__()
    browser.post(path)

    response = browser.post(path)

    # Confirming revoked every earlier link, this one included.
    assert response.status_code == 403
    assert "このリンクは使えません" in response.content.decode()
    assert EmailChange.objects.filter(confirmed_at__isnull=False).count() == 1


def test_a_second_pending_change_replaces_the_first(
    client, me, volunteer, django_capture_on_commit_callbacks
):
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)
    first = _confirm_path(NEW)
    _ask_for(me, volunteer, NEWER, django_capture_on_commit_callbacks)
    browser = client.__class__()

    refused = browser.post(first)

    assert refused.status_code == 403
    volunteer.refresh_from_db()
    assert volunteer.email == OLD
    assert EmailChange.objects.get(volunteer=volunteer).new_email == NEWER
    assert len(_mail_to(OLD)) == 2  # the old address heard of both requests
    browser.post(_confirm_path(NEWER))
    volunteer.refresh_from_db()
    assert volunteer.email == NEWER


def test_an_expired_confirmation_link_is_refused(
    client, me, volunteer, settings, django_capture_on_commit_callbacks
):
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)
    path = _confirm_path(NEW)

    with time_machine.travel(
        timezone.now() + dt.timedelta(hours=settings.VOLUNTEER_SIGN_IN_LINK_HOURS, minutes=1)
    ):
        response = client.__class__().post(path)

    assert response.status_code == 403
    assert "有効期限が切れています" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.email == OLD


def test_revoking_all_links_from_the_old_address_cancels_the_change(
    client, me, volunteer, django_capture_on_commit_callbacks
):
    """What the notice tells the real owner to do."""
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)
    path = _confirm_path(NEW)
    me.post(reverse("volunteers:me_sign_out"), {"revoke": "1"})

    response = client.__class__().post(path)

    assert response.status_code == 403
    volunteer.refresh_from_db()
    assert volunteer.email == OLD


def test_an_address_taken_meanwhile_is_refused_in_japanese(
    client, me, volunteer, django_capture_on_commit_callbacks
):
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)
    VolunteerFactory(email=NEW)

    response = client.__class__().post(_confirm_path(NEW))

    assert "このメールアドレスはすでに登録されています" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.email == OLD


def test_the_address_cannot_be_removed_from_my_page(me, volunteer):
    response = me.post(reverse("volunteers:me_edit"), _profile(volunteer, email="", phone=""))

    assert "ボランティア窓口にご連絡ください" in response.content.decode()
    volunteer.refresh_from_db()
    assert volunteer.email == OLD
    assert not EmailChange.objects.exists()


def test_withdrawing_erases_a_pending_change(me, volunteer, django_capture_on_commit_callbacks):
    _ask_for(me, volunteer, NEW, django_capture_on_commit_callbacks)

    me.post(reverse("volunteers:me_withdraw"))

    assert not EmailChange.objects.filter(volunteer=volunteer).exists()


def test_other_details_are_saved_at_once_beside_a_pending_address(
    me, volunteer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        me.post(reverse("volunteers:me_edit"), _profile(volunteer, email=NEW, name="花井 華子"))

    volunteer.refresh_from_db()
    assert (volunteer.name, volunteer.email) == ("花井 華子", OLD)
