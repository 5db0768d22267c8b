"""A volunteer's request to use a new email address, pending until the new address confirms.

A leaked sign-in link must not become a permanent takeover: the address changes only when
someone opens the link sent to the new address, and the old address hears of the request.
One row per volunteer: a new request replaces the previous one (whose link then fails).
The old address is kept here so the notice reaches it even if the change is confirmed first;
withdrawal deletes the row with everything else that identifies the person.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EmailChange(models.Model):
    volunteer = models.OneToOneField(
        "volunteers.Volunteer",
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="email_change",
    )
    new_email = models.EmailField(_("new email address"))
    old_email = models.EmailField(_("previous email address"), blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("email address change")
        verbose_name_plural = _("email address changes")

    def __str__(self) -> str:
        return f"#{self.pk}"
