"""One active sign-up per person and event (issue 15): normalised telephone and email keys with a
unique constraint each, and what to bring (shown on the page and in the confirmation).

Existing active sign-ups get their keys oldest first; a later duplicate (the bug this fixes) keeps
empty keys, so the constraint can be created and nobody's application is dropped: staff see the
duplicates in the sign-up list and decide.
"""

import re
import unicodedata

from django.db import migrations, models

_NOT_DIGITS = re.compile(r"\D")


def _phone_key(value):
    # As resources.contact_keys.phone_key at the time of writing (migrations keep their own copy).
    text = unicodedata.normalize("NFKC", value or "").strip()
    digits = _NOT_DIGITS.sub("", text)
    if text.startswith("+") and digits.startswith("81"):
        digits = "0" + digits[2:].removeprefix("0")
    return digits


def _email_key(value):
    return unicodedata.normalize("NFKC", value or "").strip().lower()


def fill_keys(apps, schema_editor):
    EventSignup = apps.get_model("events", "EventSignup")
    taken = set()
    active = EventSignup.objects.filter(cancelled_at__isnull=True, erased_at__isnull=True)
    for signup in active.order_by("created_at", "pk").iterator():
        keys = {}
        for name, value in (("phone_key", _phone_key(signup.phone)),
                            ("email_key", _email_key(signup.email))):  # fmt: skip
            if value and (signup.event_id, name, value) not in taken:
                taken.add((signup.event_id, name, value))
                keys[name] = value
        if keys:
            EventSignup.objects.filter(pk=signup.pk).update(**keys)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0003_staff_only_events"),
    ]

    operations = [
        migrations.AddField(
            model_name="eventpage",
            name="what_to_bring",
            field=models.CharField(
                blank=True,
                help_text="Shown on the event page and in every applicant's confirmation.",
                max_length=255,
                verbose_name="what to bring",
            ),
        ),
        migrations.AddField(
            model_name="eventsignup",
            name="email_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=254),
        ),
        migrations.AddField(
            model_name="eventsignup",
            name="phone_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=20),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="eventsignup",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("cancelled_at__isnull", True), models.Q(("phone_key", ""), _negated=True)
                ),
                fields=("event", "phone_key"),
                name="eventsignup_one_active_per_phone_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="eventsignup",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("cancelled_at__isnull", True), models.Q(("email_key", ""), _negated=True)
                ),
                fields=("event", "email_key"),
                name="eventsignup_one_active_per_email_key",
            ),
        ),
    ]
