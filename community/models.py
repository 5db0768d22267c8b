"""Community publishing: each organisation's editors group and its sections of the site.

A section is a page under the directory, the calendar or the volunteer index that holds one
organisation's pages. Its editors group gets add and change (never publish) permission on it,
so Wagtail itself limits what they see and edit; town staff approve through a workflow.

Three section types, one per index, so Wagtail's own parent/subpage rules decide what can be
created where (places and activities only in the directory, events only in the calendar,
opportunities only in the volunteer index) on create, move and copy alike.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import GroupApprovalTask, Page

from tsunagu.page_cache import PublicPageMixin

from .checks import approval_problems, review_checks
from .moderation import under_review

SECTION_TEMPLATE = "community/section_page.html"


class OrganizationEditors(models.Model):
    """The auth group whose members edit one organisation's pages (made on demand)."""

    organization = models.OneToOneField(
        "resources.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="editors",
    )
    group = models.OneToOneField(
        Group,
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        related_name="organization_editors",
    )

    class Meta:
        verbose_name = _("organization editors")
        verbose_name_plural = _("organization editors")
        permissions = [("invite_editor", _("Can invite community group editors"))]

    def __str__(self) -> str:
        return str(self.organization)


class Invitation(models.Model):
    """Staff invited a person to edit an organisation's pages (one row per invitation).

    The email is composed from this when it is sent (``community/emails.py``), so neither the
    address nor the one-time password link is stored with the message.
    """

    organization = models.ForeignKey(
        "resources.Organization",
        verbose_name=_("organization"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited person"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("invited"), default=timezone.now)

    wagtail_reference_index_ignore = True

    class Meta:
        verbose_name = _("editor invitation")
        verbose_name_plural = _("editor invitations")

    def __str__(self) -> str:
        return f"{self.organization_id} → {self.user_id}"


class OrganizationSectionPage(PublicPageMixin, Page):
    """One organisation's pages inside an index; the concrete types below say which index."""

    organization = models.ForeignKey(
        "resources.Organization",
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        related_name="sections",
    )

    # Made by ``community.services.ensure_sections``, which also grants the permissions.
    is_creatable = False
    parent_page_types: list[str] = []
    template = SECTION_TEMPLATE

    class Meta:
        verbose_name = _("group's section")
        verbose_name_plural = _("groups' sections")

    def get_context(self, request, *args, **kwargs) -> dict:
        context = super().get_context(request, *args, **kwargs)
        context["listings"] = self.get_children().live().public().specific().order_by("title")
        return context


class DirectorySectionPage(OrganizationSectionPage):
    is_creatable = False
    parent_page_types = ["resources.DirectoryIndexPage"]
    subpage_types = ["resources.PlacePage", "resources.ActivityPage"]
    template = SECTION_TEMPLATE

    class Meta:
        verbose_name = _("group's section of the directory")


class CalendarSectionPage(OrganizationSectionPage):
    is_creatable = False
    parent_page_types = ["events.EventIndexPage"]
    subpage_types = ["events.EventPage"]
    template = SECTION_TEMPLATE

    class Meta:
        verbose_name = _("group's section of the calendar")


class VolunteerSectionPage(OrganizationSectionPage):
    is_creatable = False
    parent_page_types = ["volunteers.VolunteerIndexPage"]
    subpage_types = ["volunteers.OpportunityPage"]
    template = SECTION_TEMPLATE

    class Meta:
        verbose_name = _("group's section of volunteering")


class ReachableApprovalTask(GroupApprovalTask):
    """Town staff's approval (「町職員による承認」), refused while a required check fails
    (``checks.approval_problems``: venue, district, date and time, contact, audience).

    Reviewers are offered only "request changes" then, named for what is missing, on the
    dashboard and in the editor; an approval posted anyway (a stale screen, Wagtail's own action
    URL) is refused. The checks read the latest revision: what approving would publish. Staff
    decide on the review screen (``community.review``), which shows the checks.
    """

    class Meta:
        verbose_name = _("approval by town staff (required checks)")
        verbose_name_plural = _("approvals by town staff (required checks)")

    def get_actions(self, obj, user) -> list[tuple[str, str, bool]]:
        actions = super().get_actions(obj, user)
        if not actions:
            return actions
        missing = [check.name for check in review_checks(under_review(obj)) if not check.passed]
        if not missing:
            return actions
        label = _("Request changes (missing: %(items)s)") % {"items": "、".join(missing)}
        return [("reject", label, True)]

    @transaction.atomic
    def on_action(self, task_state, user, action_name, **kwargs):
        if action_name == "approve":
            page = task_state.workflow_state.content_object
            if problems := approval_problems(under_review(page)):
                raise PermissionDenied(" ".join(problems))
        return super().on_action(task_state, user, action_name, **kwargs)

    @classmethod
    def get_description(cls) -> str:
        return _(
            "Members of the chosen groups approve; a page missing its venue, district, date and "
            "time, contact or audience cannot be approved."
        )
