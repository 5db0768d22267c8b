"""Issue 15: one active sign-up per person and shift (a keyed hash of who signed up), sign-up
codes for volunteers without email (found by their telephone number's digits), and what to bring.

Existing rows get their keys: volunteers their number's digits, active sign-ups the person's key,
oldest first; a later duplicate keeps an empty key (nobody's place is dropped; staff decide).
"""

import re
import unicodedata

from django.db import migrations, models

from tsunagu.encryption import keyed_hash
from tsunagu.text import reading_key

_NOT_DIGITS = re.compile(r"\D")


# As resources.contact_keys and volunteers.codes at the time of writing (migrations keep a copy).
def _phone_key(value):
    text = unicodedata.normalize("NFKC", value or "").strip()
    digits = _NOT_DIGITS.sub("", text)
    if text.startswith("+") and digits.startswith("81"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


def _person(email, phone, kana):
    email = unicodedata.normalize("NFKC", email or "").strip().lower()
    if email:
        return "email:" + email
    digits = _phone_key(phone)
    if not digits:
        return ""
    return f"tel:{digits}:{reading_key(kana or '')}"


def fill_keys(apps, schema_editor):
    Volunteer = apps.get_model("volunteers", "Volunteer")
    SignUp = apps.get_model("volunteers", "SignUp")
    for volunteer in Volunteer.objects.exclude(phone="").only("phone").iterator():
        Volunteer.objects.filter(pk=volunteer.pk).update(phone_key=_phone_key(volunteer.phone))
    taken = set()
    active = SignUp.objects.filter(status__in=["confirmed", "waitlisted"]).select_related(
        "volunteer"
    )
    for signup in active.order_by("created_at", "pk").iterator():
        person = signup.volunteer
        identity = _person(person.email, person.phone, person.kana)
        if identity and (signup.shift_id, identity) not in taken:
            taken.add((signup.shift_id, identity))
            SignUp.objects.filter(pk=signup.pk).update(person_key=keyed_hash(identity))


class Migration(migrations.Migration):
    dependencies = [
        ("volunteers", "0003_email_change_confirmation_and_single_use_links"),
    ]

    operations = [
        migrations.AddField(
            model_name="opportunitypage",
            name="what_to_bring",
            field=models.CharField(
                blank=True,
                help_text="Shown on the page and in every volunteer's confirmation.",
                max_length=255,
                verbose_name="what to bring",
            ),
        ),
        migrations.AddField(
            model_name="signup",
            name="person_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="volunteer",
            name="phone_key",
            field=models.CharField(
                blank=True, db_index=True, default="", editable=False, max_length=20
            ),
        ),
        migrations.AddField(
            model_name="volunteer",
            name="signup_code",
            field=models.CharField(blank=True, default="", editable=False, max_length=128),
        ),
        migrations.AddField(
            model_name="volunteer",
            name="signup_code_failures",
            field=models.PositiveSmallIntegerField(default=0, editable=False),
        ),
        migrations.AddField(
            model_name="volunteer",
            name="signup_code_issued_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="sign-up code issued at"
            ),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="signup",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status__in", ["confirmed", "waitlisted"]),
                    models.Q(("person_key", ""), _negated=True),
                ),
                fields=("shift", "person_key"),
                name="signup_one_active_per_person",
            ),
        ),
    ]
