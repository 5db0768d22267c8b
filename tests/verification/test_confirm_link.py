"""The "still correct" link: GET asks, POST confirms; bad links change nothing, in Japanese."""

import datetime as dt

import pytest
import time_machine
from wagtail.models import PageLogEntry

from resources import caching
from resources.models import ListingPage, Organization
from verification.links import Kind, LinkTarget, confirm_url, make_token

from .conftest import REMIND_CUTOFF, TODAY
from .factories import operator, place

pytestmark = pytest.mark.django_db


def _path(kind: Kind, pk: int, cycle: dt.date) -> str:
    return confirm_url(LinkTarget(kind, pk, cycle)).removeprefix("http://testserver")


def _assured(page) -> dt.date | None:
    return ListingPage.objects.get(pk=page.pk).assured_date


def test_get_only_asks_and_changes_nothing(now, client):
    listing = place(REMIND_CUTOFF, title="手々知名公民館")
    response = client.get(_path(Kind.LISTING, listing.pk, REMIND_CUTOFF))
    html = response.content.decode()
    assert response.status_code == 200
    assert "「手々知名公民館」の掲載内容（最終確認日: 2026年6月1日）は今も正しいですか。" in html
    assert '<button type="submit" class="button--big">はい、今も正しいです</button>' in html
    assert _assured(listing) == REMIND_CUTOFF
    assert not PageLogEntry.objects.filter(action="verification.confirmed").exists()


def test_post_confirms_the_live_page_and_its_revisions(
    now, client, django_capture_on_commit_callbacks
):
    listing = place(REMIND_CUTOFF)
    generation = caching.generation()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_path(Kind.LISTING, listing.pk, REMIND_CUTOFF))
    assert response.status_code == 200
    assert "確認済みとして記録しました" in response.content.decode()
    page = ListingPage.objects.get(pk=listing.pk)
    assert page.assured_date == TODAY
    assert page.live_revision.content["assured_date"] == "2026-12-01"
    entry = PageLogEntry.objects.get(action="verification.confirmed", page=listing)
    assert entry.data == {"assured_date": "2026-12-01"}
    assert entry.user is None
    assert caching.generation() != generation  # cached public pages dropped


def test_a_draft_published_later_does_not_roll_the_date_back(now, client):
    listing = place(REMIND_CUTOFF)
    draft = listing.specific
    draft.summary = "下書きの変更"
    draft.save_revision()  # an editor's unpublished draft, made before the confirmation
    client.post(_path(Kind.LISTING, listing.pk, REMIND_CUTOFF))
    ListingPage.objects.get(pk=listing.pk).specific.get_latest_revision().publish()
    page = ListingPage.objects.get(pk=listing.pk)
    assert page.summary == "下書きの変更"
    assert page.assured_date == TODAY


def test_the_operators_own_record_can_be_confirmed(now, client):
    group = operator("salon@example.jp", assured_date=REMIND_CUTOFF)
    client.post(_path(Kind.OPERATOR, group.pk, REMIND_CUTOFF))
    assert Organization.objects.get(pk=group.pk).assured_date == TODAY


def test_a_second_click_says_it_is_already_done(now, client):
    listing = place(REMIND_CUTOFF, title="手々知名公民館")
    url = _path(Kind.LISTING, listing.pk, REMIND_CUTOFF)
    client.post(url)
    html = client.post(url).content.decode()
    assert "「手々知名公民館」はすでに確認済みです（最終確認日: 2026年12月1日）" in html
    assert PageLogEntry.objects.filter(action="verification.confirmed").count() == 1


def test_an_expired_link_is_refused_in_japanese_and_changes_nothing(client):
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC), tick=False):
        listing = place(REMIND_CUTOFF)
        url = _path(Kind.LISTING, listing.pk, REMIND_CUTOFF)
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, tzinfo=dt.UTC), tick=False):
        response = client.post(url)
    assert response.status_code == 400
    assert "このリンクは有効期限が切れています。" in response.content.decode()
    assert _assured(listing) == REMIND_CUTOFF


def test_a_link_just_within_its_lifetime_still_works(client):
    with time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=dt.UTC), tick=False):
        listing = place(REMIND_CUTOFF)
        url = _path(Kind.LISTING, listing.pk, REMIND_CUTOFF)
    with time_machine.travel(dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC), tick=False):
        assert client.post(url).status_code == 200
    assert _assured(listing) == dt.date(2026, 11, 30)


def test_a_tampered_link_is_refused(now, client):
    listing = place(REMIND_CUTOFF)
    token = make_token(LinkTarget(Kind.LISTING, listing.pk, REMIND_CUTOFF))
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.post(f"/verification/confirm/listing/{listing.pk}/{tampered}/")
    assert response.status_code == 400
    assert "このリンクは正しくありません。" in response.content.decode()
    assert _assured(listing) == REMIND_CUTOFF


def test_a_link_for_another_listing_is_refused(now, client):
    mine = place(REMIND_CUTOFF)
    theirs = place(REMIND_CUTOFF)
    token = make_token(LinkTarget(Kind.LISTING, mine.pk, REMIND_CUTOFF))
    for url in (
        f"/verification/confirm/listing/{theirs.pk}/{token}/",
        f"/verification/confirm/operator/{mine.pk}/{token}/",
    ):
        response = client.post(url)
        assert response.status_code == 400
        assert "このリンクは別の掲載情報のものです。" in response.content.decode()
    assert _assured(mine) == REMIND_CUTOFF and _assured(theirs) == REMIND_CUTOFF


def test_an_unpublished_listing_cannot_be_confirmed(now, client):
    listing = place(REMIND_CUTOFF)
    listing.unpublish()
    response = client.post(_path(Kind.LISTING, listing.pk, REMIND_CUTOFF))
    assert response.status_code == 404
    assert "この掲載情報は公開されていません。" in response.content.decode()
    assert _assured(listing) == REMIND_CUTOFF


def test_the_confirmation_page_is_never_cached(now, client):
    listing = place(REMIND_CUTOFF)
    response = client.get(_path(Kind.LISTING, listing.pk, REMIND_CUTOFF))
    assert "no-cache" in response["Cache-Control"]
    again = client.get(_path(Kind.LISTING, listing.pk, REMIND_CUTOFF))
    assert "X-Page-Cache" not in response and "X-Page-Cache" not in again
