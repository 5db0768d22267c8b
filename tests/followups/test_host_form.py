"""The host place's short form: one-time, for one check-in only, nothing about the person."""

import pytest
from django.core import signing
from django.urls import reverse

from followups.models import CheckIn
from followups.tokens import SALT, host_token

pytestmark = pytest.mark.django_db

ANSWER = {"attending": "sometimes", "concern": "yes", "comment": "最近少し元気がない様子です"}


def url(checkin_id) -> str:
    return reverse("followups:host", args=[host_token(checkin_id)])


def test_the_answer_lands_on_the_placement_page(client, placement, coordinator):
    checkin = placement.checkins.get(offset_days=14)
    page = client.get(url(checkin.pk))
    assert page.status_code == 200
    assert "花の畑" in page.content.decode()
    assert placement.client.name not in page.content.decode()
    assert "no-store" in page["Cache-Control"]

    client.post(url(checkin.pk), ANSWER)

    checkin.refresh_from_db()
    assert (checkin.host_attending, checkin.host_concern) == ("sometimes", True)
    client.force_login(coordinator)
    text = client.get(reverse("followups_admin:placement", args=[placement.pk])).content.decode()
    assert "最近少し元気がない様子です" in text and "気になることあり" in text


def test_the_link_works_once(client, placement):
    checkin = placement.checkins.get(offset_days=14)
    client.post(url(checkin.pk), ANSWER)
    second = client.post(url(checkin.pk), {**ANSWER, "attending": "no", "comment": "上書き"})

    assert "回答済み" in second.content.decode()
    checkin.refresh_from_db()
    assert (checkin.host_attending, checkin.host_comment) == ("sometimes", ANSWER["comment"])


def test_a_link_is_only_for_its_own_check_in(client, placement):
    checkin, other = placement.checkins.filter(offset_days__in=(14, 42)).order_by("offset_days")
    token = host_token(checkin.pk)
    forged = token.replace(str(checkin.pk), str(other.pk))
    unsigned = signing.Signer(salt="other").sign(str(other.pk))

    for bad in (forged, unsigned, "nonsense"):
        response = client.get(reverse("followups:host", args=[bad]))
        assert response.status_code == 404
        assert "このリンクは使えません" in response.content.decode()
        client.post(reverse("followups:host", args=[bad]), ANSWER)
    assert not CheckIn.objects.filter(host_answered_at__isnull=False).exists()
    assert SALT  # the salt separates these links from every other signed value


def test_the_baseline_has_no_host_form(client, placement):
    baseline = placement.checkins.get(kind="baseline")
    assert client.get(url(baseline.pk)).status_code == 404


def test_a_missing_answer_gets_a_japanese_error_and_saves_nothing(client, placement):
    checkin = placement.checkins.get(offset_days=14)
    response = client.post(url(checkin.pk), {"comment": "x"})
    assert "印のついた質問に答えてください" in response.content.decode()
    checkin.refresh_from_db()
    assert checkin.host_answered_at is None
