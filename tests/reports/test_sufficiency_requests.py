"""受け入れを打診: asking a place to open, through the outbox — the row, the message, the refusals
and who may ask. The town is tests/matching/gaps_town.py: 三線サークル does not accept
placements and would serve P1, P7 and P8 (3 people, 三線); 囲碁クラブ has a phone, no email,
and would serve P2 (1 person, 囲碁)."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import IntegrityError, transaction

from matching.models import Client
from outbox import services as outbox
from outbox.models import Message
from reports.models import OpeningRequest
from reports.sufficiency import emails, services
from resources.models import ActivityPage
from tests.matching.factories import make_user
from tests.matching.gaps_town import town_once

pytestmark = pytest.mark.django_db

PAGE = "/admin/reports/sufficiency/"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-12-01 10:00 +0900", tick=False)


@pytest.fixture(scope="module")
def town(django_db_setup, django_db_blocker):
    with town_once(django_db_blocker) as town:
        yield town


def fresh(page: ActivityPage) -> ActivityPage:
    """The page as stored: the town's objects outlive each test's rollback, so a test that
    changes a page changes its own copy."""
    return ActivityPage.objects.get(pk=page.pk)


def ask_url(activity) -> str:
    return f"/admin/reports/sufficiency/ask/{activity.pk}/"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_asking_records_the_request_and_emails_the_place_once(
    client, town, django_capture_on_commit_callbacks
):
    sanshin = town.activities["SANSHIN_CLUB"]
    client.force_login(town.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask_url(sanshin), follow=True)

    assert "三線サークルへ受け入れを打診しました。メールを送信します。" in messages_of(response)
    request = OpeningRequest.objects.get()
    assert (request.activity, request.team, request.requested_by) == (
        sanshin,
        town.team_a,
        town.coordinator,
    )
    assert (request.requested_on, request.people, request.terms) == (TODAY, 3, ["三線"])
    assert request.constraints == [{"code": "not_accepting", "detail": ""}]
    message = Message.objects.get(kind=emails.OPENING_REQUEST)
    assert (message.object_id, message.key) == (
        str(request.pk),
        f"{emails.OPENING_REQUEST}:{request.pk}",
    )
    assert message.status == Message.Status.SENT

    (email,) = mail.outbox
    assert email.to == ["sanshin@example.jp"]
    assert email.reply_to == [town.team_a.email]
    assert email.subject == "【和泊町 参加支援】三線サークルでの受け入れについてのご相談"
    body = email.body
    assert body.startswith("三線サークル ご担当者")
    assert "和泊町 参加支援事業（地域包括支援センター）です。" in body
    assert "そのうち3人が、「三線サークル」に参加できる可能性があります。" in body
    assert "希望されている関心・支援：三線" in body
    assert "- 現在、参加支援による受け入れをされていないため、ご紹介ができていません。" in body
    assert "地域包括支援センター 電話 0997-00-0000" in body
    for person in Client.objects.all():  # nothing about anyone
        assert person.reference_code not in body and person.name not in body

    # The page now says so, and offers no second ask.
    page = client.get(PAGE).content.decode()
    assert "打診済み（2026年12月1日）" in page
    assert "2026年12月31日から再び打診できます。" in page


def test_a_second_ask_within_30_days_is_refused_and_changes_nothing(client, town, time_machine):
    sanshin = town.activities["SANSHIN_CLUB"]
    services.opening_request_create(activity=sanshin, by=town.coordinator)
    time_machine.move_to("2026-12-30 10:00 +0900", tick=False)
    client.force_login(town.supervisor)

    response = client.post(ask_url(sanshin), follow=True)

    assert messages_of(response) == [
        "三線サークルには2026年12月1日に打診済みです。"
        "次に打診できるのは2026年12月31日（30日後）からです。"
    ]
    assert OpeningRequest.objects.count() == 1
    assert Message.objects.filter(kind=emails.OPENING_REQUEST).count() == 1


def test_after_30_days_the_place_may_be_asked_again(town, time_machine):
    sanshin = town.activities["SANSHIN_CLUB"]
    services.opening_request_create(activity=sanshin, by=town.coordinator)
    time_machine.move_to("2026-12-31 10:00 +0900", tick=False)
    again = services.opening_request_create(activity=sanshin, by=town.coordinator)
    assert again.requested_on == dt.date(2026, 12, 31)
    assert Message.objects.filter(kind=emails.OPENING_REQUEST).count() == 2


def test_one_request_per_place_and_day_even_in_a_race(town):
    request = services.opening_request_create(
        activity=town.activities["SANSHIN_CLUB"], by=town.coordinator
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        OpeningRequest.objects.create(
            activity=request.activity, team=request.team, requested_on=TODAY, people=3
        )
    # and the outbox row is keyed by the request: queued again, it is not written twice
    spec = outbox.Spec(
        kind=emails.OPENING_REQUEST,
        object_id=request.pk,
        key=emails.opening_request_key(request.pk),
    )
    assert outbox.enqueue(spec) is None


def test_a_place_without_email_goes_on_the_call_list(
    client, town, django_capture_on_commit_callbacks
):
    go_club = town.activities["GO_CLUB"]
    client.force_login(town.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask_url(go_club), follow=True)

    assert messages_of(response) == [
        "囲碁クラブにはメールアドレスがないため、電話連絡リストに追加しました。"
        "0997-84-1234へお電話ください。"
    ]
    message = Message.objects.get(kind=emails.OPENING_REQUEST)
    assert message.status == Message.Status.TO_CALL
    assert mail.outbox == []
    call = emails.compose_opening_request(message)
    assert (call.name, call.phone) == ("囲碁クラブ", "0997-84-1234")
    # One person: written as 若干名, as the exports hide it.
    assert call.summary == (
        "地域包括支援センター（参加支援）から、この活動で参加支援による受け入れができないかの"
        "ご相談です。参加の場を探している方のうち若干名が、この活動（囲碁）に参加できる可能性が"
        "あります。地域包括支援センター (0997-00-0000)へご連絡いただくようお伝えください。"
    )


def test_a_place_with_no_contact_at_all_is_refused(client, town):
    garden = fresh(town.activities["GARDEN"])
    garden.email = ""
    garden.save_revision().publish()
    client.force_login(town.coordinator)

    response = client.post(ask_url(garden), follow=True)

    assert messages_of(response) == [
        "花の畑にはメールアドレスも電話番号も登録されていません。"
        "先に掲載情報に連絡先を追加してください。"
    ]
    assert not OpeningRequest.objects.exists() and not Message.objects.exists()


def test_a_place_nobody_in_the_users_scope_would_join_is_refused(client, town):
    # Team B's only waiting person (P5) is too far from 三線サークル as well.
    client.force_login(town.other_coordinator)
    response = client.post(ask_url(town.activities["SANSHIN_CLUB"]), follow=True)
    assert messages_of(response) == [
        "三線サークルが受け入れを始めても参加できる待機中の方がいないため、打診する内容がありません。"
    ]
    assert not OpeningRequest.objects.exists()


def test_a_feasible_activity_is_nothing_to_ask(town):
    with pytest.raises(services.OpeningRequestError):
        services.opening_request_create(
            activity=town.activities["SANSHIN_SAT"], by=town.other_coordinator
        )


def test_an_editor_cannot_ask(client, town):
    client.force_login(town.editor)
    response = client.post(ask_url(town.activities["SANSHIN_CLUB"]))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not OpeningRequest.objects.exists()


def test_staff_who_only_read_every_client_cannot_ask(client, town):
    reader = make_user("town_reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_all_clients"))
    client.force_login(reader)
    response = client.post(ask_url(town.activities["SANSHIN_CLUB"]))
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not OpeningRequest.objects.exists()


def test_anonymous_users_cannot_ask(client, town):
    response = client.post(ask_url(town.activities["SANSHIN_CLUB"]))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not OpeningRequest.objects.exists()


def test_asking_is_a_post(client, town):
    client.force_login(town.coordinator)
    assert client.get(ask_url(town.activities["SANSHIN_CLUB"])).status_code == 405


def test_an_unpublished_activity_cannot_be_asked(client, town):
    sanshin = fresh(town.activities["SANSHIN_CLUB"])
    sanshin.unpublish()
    client.force_login(town.coordinator)
    assert client.post(ask_url(sanshin)).status_code == 404


def test_a_queued_request_for_an_activity_unpublished_since_is_dropped(town):
    sanshin = town.activities["SANSHIN_CLUB"]
    request = services.opening_request_create(activity=sanshin, by=town.coordinator)
    fresh(sanshin).unpublish()
    message = Message.objects.get(object_id=str(request.pk), kind=emails.OPENING_REQUEST)
    outcome = emails.compose_opening_request(message)
    assert outcome.reason == "この活動は公開されていません。"
