"""Volunteers registered by telephone sign up and cancel without email: a six-digit code (shown
once at registration, or issued by staff and read out) with their telephone number, or staff
signing them up in the admin. Nobody without email is ever told to check their email."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from outbox.models import Message
from tests.resources.factories import AreaFactory, OrganizationFactory
from volunteers import codes, emails, services
from volunteers.models import SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]

WRONG = "電話番号か申込番号が違います。"
CHECK_YOUR_EMAIL = "メールをご確認ください"


@pytest.fixture
def shift():
    page = make_opportunity(
        title="浜のごみ拾い", address="和泊町喜美留", what_to_bring="軍手",
        organization=OrganizationFactory(name="うみの会", phone="0997-84-7777"),
        shifts=[{"slots": 1}],
    )  # fmt: skip
    return page.shifts.get()


@pytest.fixture
def by_phone():
    """An approved volunteer with no email, and the code staff read out to them."""
    volunteer = VolunteerFactory(
        name="島 一郎", kana="しま いちろう", email="", phone="0997-84-1234"
    )
    return volunteer, services.volunteer_issue_code(volunteer=volunteer)


def _code_url(shift, cancel: bool = False) -> str:
    name = "volunteers:shift_cancel_code" if cancel else "volunteers:shift_signup_code"
    return reverse(name, args=[shift.pk])


def test_registering_without_email_shows_a_code_once_and_keeps_only_its_hash(
    client, django_capture_on_commit_callbacks
):
    data = {"name": "島 花子", "kana": "しま はなこ", "phone": "0997-84-2222", "email": "",
            "area": str(AreaFactory(name="喜美留").pk), "consent": "on"}  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("volunteers:register"), data, follow=True)
    html = response.content.decode()
    code = re.search(r'<p class="code__value"><strong>(\d{6})</strong></p>', html)[1]
    volunteer = Volunteer.objects.get()
    assert volunteer.signup_code and code not in volunteer.signup_code
    assert codes.matches(volunteer, code)
    assert "お電話します" in html and CHECK_YOUR_EMAIL not in html
    assert "メッセージをお送りしました" not in html
    # Shown once: the page again (a reload, the next person at a shared computer) has no code.
    assert code not in client.get(reverse("volunteers:register_done")).content.decode()
    # The welcome is a call, not an email nobody can read.
    assert Message.objects.get(kind=emails.REGISTERED).status == Message.Status.TO_CALL


def test_the_phone_and_code_sign_up_and_the_page_says_everything(
    client, shift, by_phone, django_capture_on_commit_callbacks
):
    volunteer, code = by_phone
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _code_url(shift), {"phone": "０９９７ー８４ー１２３４", "code": code}
        )
    html = response.content.decode()
    assert response.status_code == 200
    signup = SignUp.objects.get()
    assert signup.volunteer == volunteer and signup.status == SignUp.Status.CONFIRMED
    assert "申込が確定しました" in html and "浜のごみ拾い" in html
    assert "和泊町喜美留" in html and "<dt>持ち物</dt><dd>軍手</dd>" in html
    assert _code_url(shift, cancel=True) in html  # how to cancel: the code page…
    assert 'href="tel:0997847777"' in html  # …or a call to the organiser
    assert CHECK_YOUR_EMAIL not in html
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    confirmation = Message.objects.get(kind=emails.SIGNUP_CONFIRMED)
    assert confirmation.status == Message.Status.TO_CALL  # the confirmation: staff call


def test_the_call_list_line_says_what_to_bring(client, shift, by_phone):
    from outbox import registry

    _volunteer, code = by_phone
    client.post(_code_url(shift), {"phone": "0997-84-1234", "code": code})
    row = Message.objects.get(kind=emails.SIGNUP_CONFIRMED)
    summary = registry.get(row.kind).compose(row).summary
    assert "浜のごみ拾い" in summary and "持ち物：軍手。" in summary


def test_a_wrong_code_is_refused_in_japanese_and_changes_nothing(client, shift, by_phone):
    volunteer, code = by_phone
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    response = client.post(_code_url(shift), {"phone": "0997-84-1234", "code": wrong})
    assert response.status_code == 400 and WRONG in response.content.decode()
    assert not SignUp.objects.exists()
    volunteer.refresh_from_db()
    assert volunteer.signup_code_failures == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"phone": "0997-84-1234", "code": "123"}, "申込番号は6桁の数字です。"),
        ({"phone": "1234", "code": "123456"}, "0997-84-1234"),
        ({"phone": "", "code": ""}, "必須"),
    ],
)
def test_bad_input_gets_a_japanese_error(client, shift, by_phone, data, message):
    response = client.post(_code_url(shift), data)
    assert message in response.content.decode()
    assert not SignUp.objects.exists()


def test_an_unknown_number_gets_the_same_answer_as_a_wrong_code(client, shift, by_phone):
    response = client.post(_code_url(shift), {"phone": "090-9999-9999", "code": "123456"})
    assert response.status_code == 400 and WRONG in response.content.decode()


def test_five_wrong_tries_void_the_code_until_staff_issue_a_new_one(shift, by_phone):
    volunteer, code = by_phone
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _try in range(codes.MAX_FAILURES):
        assert services.volunteer_by_code(phone="0997-84-1234", code=wrong) is None
    assert services.volunteer_by_code(phone="0997-84-1234", code=code) is None  # voided
    new = services.volunteer_issue_code(volunteer=volunteer)
    assert services.volunteer_by_code(phone="0997-84-1234", code=new) == volunteer
    assert services.volunteer_by_code(phone="0997-84-1234", code=code) is None or new == code


def test_cancelling_with_the_code_frees_the_place(client, shift, by_phone):
    volunteer, code = by_phone
    services.signup_by_code(shift=shift, phone="0997-84-1234", code=code)
    response = client.post(_code_url(shift, cancel=True), {"phone": "0997841234", "code": code})
    assert response.status_code == 200 and "申込を取り消しました" in response.content.decode()
    assert SignUp.objects.get().status == SignUp.Status.CANCELLED
    again = client.post(_code_url(shift, cancel=True), {"phone": "0997841234", "code": code})
    assert "この日程へのあなたのお申し込みは見つかりませんでした。" in again.content.decode()


def test_two_people_sharing_a_home_telephone_each_use_their_own_code(shift):
    shift.slots = 2
    shift.save()
    husband = VolunteerFactory(kana="しま いちろう", email="", phone="0997-84-1234")
    wife = VolunteerFactory(kana="しま はなこ", email="", phone="0997-84-1234")
    husband_code = services.volunteer_issue_code(volunteer=husband)
    wife_code = services.volunteer_issue_code(volunteer=wife)
    services.signup_by_code(shift=shift, phone="0997-84-1234", code=husband_code)
    services.signup_by_code(shift=shift, phone="0997-84-1234", code=wife_code)
    assert {s.volunteer for s in SignUp.objects.active()} == {husband, wife}


def test_guessing_codes_is_throttled_per_address(client, shift, by_phone, settings):
    settings.PUBLIC_SIGNUP_THROTTLE_COUNT = 2
    for _try in range(2):
        client.post(_code_url(shift), {"phone": "090-9999-9999", "code": "000000"})
    other_shift = make_opportunity().shifts.get()  # moving on to another date does not help
    response = client.post(_code_url(other_shift), {"phone": "090-9999-9999", "code": "000000"})
    assert response.status_code == 429


def test_the_public_pages_offer_the_code_to_people_without_email(client, shift):
    page = client.get(shift.opportunity.url).content.decode()
    assert _code_url(shift) in page
    request = client.get(reverse("volunteers:shift_signup", args=[shift.pk])).content.decode()
    assert _code_url(shift) in request and "電話で登録した方（メールなし）" in request


# --- staff


def test_staff_issue_a_code_shown_once_and_the_old_one_stops_working(client, coordinator, by_phone):
    volunteer, old = by_phone
    client.force_login(coordinator)
    url = reverse("volunteer_register:issue_code", args=[volunteer.pk])
    assert "新しい申込番号を発行しますか" in client.get(url).content.decode()
    response = client.post(url)
    new = re.search(r"<h2>(\d{6})</h2>", response.content.decode())[1]
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    volunteer.refresh_from_db()
    assert codes.matches(volunteer, new)
    assert old == new or not codes.matches(volunteer, old)
    index = client.get(reverse("volunteer_register:index")).content.decode()
    assert url in index and new not in index


def test_only_coordinators_may_issue_codes(client, by_phone, django_user_model):
    volunteer, _code = by_phone
    url = reverse("volunteer_register:issue_code", args=[volunteer.pk])
    assert client.post(url).status_code == 302  # anonymous: to the login page
    editor = django_user_model.objects.create_user("editor", "e@example.jp", "pw")
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    assert client.post(url).status_code in {302, 403}  # Wagtail: back to the dashboard
    assert "申込番号" not in client.get(reverse("wagtailadmin_home")).content.decode()
    volunteer.refresh_from_db()
    assert volunteer.signup_code_failures == 0 and codes.matches(volunteer, _code)


def test_staff_sign_up_someone_who_telephoned(client, coordinator, shift, by_phone):
    volunteer, _code = by_phone
    client.force_login(coordinator)
    url = reverse("volunteer_signups:on_behalf")
    assert url in client.get(reverse("volunteer_signups:index")).content.decode()
    response = client.post(url, {"volunteer": volunteer.pk, "shift": shift.pk})
    assert response.status_code == 302
    assert SignUp.objects.get().volunteer == volunteer
    again = client.post(url, {"volunteer": volunteer.pk, "shift": shift.pk}, follow=True)
    assert SignUp.objects.count() == 1 and again.status_code == 200


def test_staff_see_the_rules_refusal_in_japanese(client, coordinator, shift, by_phone):
    volunteer, _code = by_phone
    Volunteer.objects.filter(pk=volunteer.pk).update(status=Volunteer.Status.PAUSED)
    client.force_login(coordinator)
    response = client.post(
        reverse("volunteer_signups:on_behalf"), {"volunteer": volunteer.pk, "shift": shift.pk}
    )
    assert response.status_code == 200 and not SignUp.objects.exists()


def test_signing_up_on_behalf_needs_the_permission(client, shift, by_phone, django_user_model):
    volunteer, _code = by_phone
    viewer = django_user_model.objects.create_user("viewer", "v@example.jp", "pw")
    viewer.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="view_signup"),
    )
    client.force_login(viewer)
    url = reverse("volunteer_signups:on_behalf")
    response = client.post(url, {"volunteer": volunteer.pk, "shift": shift.pk})
    assert response.status_code in {302, 403} and response.get("Location") != url
    assert not SignUp.objects.exists()
