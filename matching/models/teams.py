"""Teams (地域包括支援センター, こども家庭センター, 社協…) and who works in them.

Membership is what grants access to client records: a coordinator sees their teams' clients,
a supervisor every client of the towns (sites) of their teams (matching/access.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

from tsunagu.sites import town_field


class Team(ClusterableModel):
    """A team responsible for clients; its contact is what host places see in proposals."""

    class Kind(models.TextChoices):
        COMMUNITY_SUPPORT_CENTER = "community_support", _("Community general support centre")
        CHILD_FAMILY_CENTER = "child_family", _("Child and family centre")
        SOCIAL_WELFARE_COUNCIL = "swc", _("Social welfare council")
        TOWN_OFFICE = "town_office", _("Town office")
        OTHER = "other", _("Other")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The town (issue 17): its members' access to clients stops at this site's teams.
    site = town_field(related_name="teams")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_sample = models.BooleanField(_("sample data"), default=False)

    panels = [
        FieldPanel("site"),
        FieldPanel("name"),
        FieldPanel("kind"),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("phone"), FieldPanel("email")])],
            heading=_("contact shown to host places"),
        ),
        InlinePanel("memberships", heading=_("members"), label=_("member")),
        FieldPanel("is_sample"),
    ]

    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            # Two towns may each have a 地域包括支援センター.
            models.UniqueConstraint(fields=["site", "name"], name="matching_team_name_per_site")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """A user's role in a team; one row per (team, user)."""

    class Role(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        SUPERVISOR = "supervisor", _("Supervisor")

    team = ParentalKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    role = models.CharField(
        _("role"), max_length=20, choices=Role.choices, default=Role.COORDINATOR
    )

    panels = [FieldRowPanel([FieldPanel("user"), FieldPanel("role")])]

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="matching_one_role_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.team} / {self.user} ({self.get_role_display()})"
