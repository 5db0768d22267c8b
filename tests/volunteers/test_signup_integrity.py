"""One person on a shift once, even when they are on the register twice: sign-ups carry a keyed
hash of who signed up (email address, or telephone number and reading), unique among a shift's
active sign-ups in the database, and blanked when the volunteer withdraws."""

import importlib
import threading

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from volunteers import codes, services
from volunteers.models import SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("morning")]
ALREADY = "この日程にはすでに申し込まれています"


@pytest.fixture
def shift():
    return make_opportunity(title="浜のごみ拾い", shifts=[{"slots": 3}]).shifts.get()


def test_the_same_person_registered_twice_by_telephone_signs_up_once(shift):
    first = VolunteerFactory(kana="しま いちろう", email="", phone="0997-84-1234")
    again = VolunteerFactory(kana="シマ イチロウ", email="", phone="０９９７８４１２３４")
    services.signup_create(volunteer=first, shift=shift)
    with pytest.raises(ValidationError) as caught:
        services.signup_create(volunteer=again, shift=shift)
    assert ALREADY in caught.value.messages[0]
    assert SignUp.objects.active().count() == 1


def test_the_same_email_in_other_letters_is_the_same_person(shift):
    first = VolunteerFactory(email="yuri@example.jp")
    services.signup_create(volunteer=first, shift=shift)
    second = VolunteerFactory(email="", phone="090-1111-2222")
    Volunteer.objects.filter(pk=second.pk).update(email="YURI@example.jp")  # an old record
    second.refresh_from_db()
    with pytest.raises(ValidationError):
        services.signup_create(volunteer=second, shift=shift)


def test_signing_up_again_after_cancelling_works(shift):
    volunteer = VolunteerFactory()
    services.signup_cancel(signup=services.signup_create(volunteer=volunteer, shift=shift))
    assert services.signup_create(volunteer=volunteer, shift=shift).status == "confirmed"


def test_the_database_refuses_two_active_sign_ups_of_one_person(shift):
    one, two = VolunteerFactory(), VolunteerFactory()
    SignUp.objects.create(volunteer=one, shift=shift, status="confirmed", person_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignUp.objects.create(volunteer=two, shift=shift, status="waitlisted", person_key="k")
    SignUp.objects.create(volunteer=two, shift=shift, status="cancelled", person_key="k")


def test_the_constraint_answers_in_japanese_when_the_check_is_bypassed(shift, monkeypatch):
    first = VolunteerFactory(kana="しま いちろう", email="", phone="0997-84-1234")
    again = VolunteerFactory(kana="しま いちろう", email="", phone="0997841234")
    services.signup_create(volunteer=first, shift=shift)
    monkeypatch.setattr(services, "_person_signed_up", lambda shift, person: False)
    with pytest.raises(ValidationError) as caught:
        services.signup_create(volunteer=again, shift=shift)
    assert ALREADY in caught.value.messages[0]
    assert SignUp.objects.count() == 1


def test_withdrawing_blanks_the_person_key(shift):
    volunteer = VolunteerFactory()
    services.signup_create(volunteer=volunteer, shift=shift)
    assert SignUp.objects.get().person_key
    services.volunteer_withdraw(volunteer=volunteer)
    assert SignUp.objects.get().person_key == ""


def test_the_key_holds_no_contact_details_in_clear(shift):
    volunteer = VolunteerFactory(email="yuri@example.jp", phone="090-1111-2222")
    services.signup_create(volunteer=volunteer, shift=shift)
    key = SignUp.objects.get().person_key
    assert len(key) == 64 and "yuri" not in key and "0901111" not in key


def test_the_migration_keys_old_rows_and_leaves_old_duplicates_unkeyed(shift):
    first = VolunteerFactory(kana="しま いちろう", email="", phone="0997-84-1234")
    again = VolunteerFactory(kana="しま いちろう", email="", phone="0997841234")
    rows = [
        SignUp.objects.create(volunteer=person, shift=shift, status="confirmed")
        for person in (first, again)
    ]
    Volunteer.objects.update(phone_key="")
    migration = importlib.import_module(
        "volunteers.migrations.0004_signup_codes_person_keys_and_what_to_bring"
    )

    migration.fill_keys(apps, schema_editor=None)

    assert set(Volunteer.objects.values_list("phone_key", flat=True)) == {"0997841234"}
    keys = [SignUp.objects.get(pk=row.pk).person_key for row in rows]
    assert keys == [codes.person_key(first), ""]


@pytest.mark.fullstack
@pytest.mark.django_db(transaction=True)
def test_two_registrations_of_one_person_signing_up_at_once_take_one_place():
    """Each in its own connection, at the same moment (PostgreSQL): one place, one refusal."""
    shift = make_opportunity(shifts=[{"slots": 3}]).shifts.get()
    people = [
        VolunteerFactory(kana="しま いちろう", email="", phone=phone)
        for phone in ("0997-84-1234", "0997841234")
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def sign_up(volunteer) -> None:
        try:
            barrier.wait(timeout=10)
            services.signup_create(volunteer=volunteer, shift=shift)
            outcomes.append("accepted")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    refused = [outcome for outcome in outcomes if outcome != "accepted"]
    assert len(outcomes) == 2 and len(refused) == 1 and ALREADY in refused[0]
    assert SignUp.objects.active().filter(shift=shift).count() == 1
