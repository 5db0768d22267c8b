"""Admin: staff's editors views and menu; keeping group editors to their own groups' pages.

Wagtail's page permissions already limit the explorer, search and editing to the sections an
editor's group may change. The page chooser lists every page by default, so for editors who are
not town staff it drops other groups' sections and what is in them.
"""

from django.contrib import messages
from django.db.models import Q
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.action_menu import (
    PublishMenuItem,
    SubmitForModerationMenuItem,
    WorkflowMenuItem,
)
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.menus import MenuItem as ListingMenuItem
from wagtail.admin.views.home import WorkflowObjectsToModeratePanel
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .checks import approval_problems
from .models import OrganizationSectionPage
from .panels import GroupPagesPanel, add_shortcuts
from .review import (
    ReviewMenuItem,
    ReviewPreviewView,
    ReviewQueuePanel,
    ReviewView,
    user_can_review,
)
from .services import is_group_editor_only, is_in_a_section, pages_in_sections
from .status import Stage, own_group_statuses, own_sections, page_status
from .views import INVITE_PERMISSION, EditorsIndexView, InviteView


@hooks.register("register_admin_urls")
def register_community_urls() -> list:
    return [
        path("community/editors/", EditorsIndexView.as_view(), name="community_editors"),
        path(
            "community/editors/<int:organization_id>/invite/",
            InviteView.as_view(),
            name="community_invite",
        ),
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request) -> bool:
        return request.user.has_perm(INVITE_PERMISSION)


@hooks.register("register_admin_menu_item")
def register_editors_menu_item() -> MenuItem:
    return StaffMenuItem(
        _("Group editors"), reverse("community_editors"), icon_name="group", order=320
    )


@hooks.register("register_snippet_listing_buttons")
def invite_button(snippet, user, next_url=None):
    from resources.models import Organization

    # The listing holds the user's own towns' groups only (OrganizationViewSet.get_queryset).
    if isinstance(snippet, Organization) and user.has_perm(INVITE_PERMISSION):
        yield ListingMenuItem(
            _("Invite an editor"),
            reverse("community_invite", args=[snippet.pk]),
            icon_name="mail",
            priority=90,
        )


def other_groups_page_ids(user):
    """Ids of other groups' sections and the pages in them (sections hold no deeper pages)."""
    sections = OrganizationSectionPage.objects.exclude(organization__editors__group__user=user)
    in_sections = pages_in_sections(sections).values("pk")
    return Page.objects.filter(
        Q(path__in=sections.values("path")) | Q(pk__in=in_sections)
    ).values_list("pk", flat=True)


@hooks.register("construct_page_chooser_queryset")
def hide_other_groups_pages(pages, request):
    """An editor chooses from the town's pages and their own group's, never another group's."""
    if not is_group_editor_only(request.user):
        return pages
    # A list of ids, not a subquery: the chooser's search backend filters on plain values.
    return pages.exclude(pk__in=list(other_groups_page_ids(request.user)))


@hooks.register("construct_page_chooser_queryset")
def hide_drafts_from_who_cannot_edit_them(pages, request):
    """Live pages may be linked by anyone; a draft's title is for those who may edit it (the
    chooser would show coordinators every group's unpublished pages)."""
    if request.user.is_superuser:
        return pages
    editable = PagePermissionPolicy().instances_user_has_any_permission_for(
        request.user, ["add", "change", "publish"]
    )
    drafts = list(editable.filter(live=False).values_list("pk", flat=True))
    return pages.filter(Q(live=True) | Q(pk__in=drafts))


@hooks.register("construct_main_menu")
def hide_reports_from_group_editors(request, menu_items) -> None:
    """Group editors have no business with the town's reports (site history, workflows…)."""
    if is_group_editor_only(request.user):
        menu_items[:] = [item for item in menu_items if item.name != "reports"]


@hooks.register("before_edit_page")
def warn_when_a_check_fails(request, page) -> None:
    """Say in the editor why approval is not offered (or will not be), before anyone asks."""
    if request.method == "GET" and (problems := approval_problems(page)):
        messages.warning(request, " ".join(problems))


# The editor sees where their pages stand and why one came back.


@hooks.register("construct_homepage_panels")
def show_group_pages_with_status(request, panels: list) -> None:
    """A group editor's dashboard starts with shortcuts to add a page, then their groups' pages,
    sent-back ones first; a new editor with no page yet gets the shortcuts."""
    statuses = own_group_statuses(request.user)
    shortcuts = add_shortcuts(request.user, own_sections(request.user))
    if statuses or shortcuts:
        panels.insert(0, GroupPagesPanel(statuses, shortcuts))


@hooks.register("before_edit_page")
def show_page_status(request, page) -> None:
    """The edit screen of a group's page says where it stands; sent back, with the reason."""
    if request.method != "GET" or not is_in_a_section(page):
        return
    status = page_status(page)
    if status.stage != Stage.CHANGES_REQUESTED:
        messages.info(request, _("This page: %(status)s") % {"status": status.stage.label})
        return
    reason = (
        render_to_string("community/admin/rejection.html", {"rejection": status.rejection})
        if status.rejection
        else ""
    )
    messages.warning(
        request,
        format_html(
            "{} {}{}",
            status.stage.label,
            _("Correct the page, then submit it again."),
            reason,
        ),
    )


@hooks.register("insert_editor_js")
def wait_for_autosave_before_submitting() -> str:
    """Submitting while Wagtail's autosave is writing lost work in the trial: hold it back."""
    return format_html(
        '<script defer src="{}" data-waiting-text="{}"></script>',
        static("community/admin/wait_for_autosave.js"),
        _("Waiting for the automatic save to finish, then sending…"),
    )


@hooks.register("insert_editor_js")
def name_rich_text_and_tag_inputs() -> str:
    """Wagtail's rich-text and tag inputs had no accessible name (axe, issue 16): give them
    their field's label."""
    return format_html(
        '<script defer src="{}"></script>', static("community/admin/name_editor_widgets.js")
    )


@hooks.register("insert_global_admin_css")
def wagtail_controls_big_enough_to_tap() -> str:
    """Some of Wagtail's controls are smaller than WCAG 2.2's 24 px target on a phone."""
    return format_html(
        '<link rel="stylesheet" href="{}">', static("community/admin/target_sizes.css")
    )


# The review screen (issue 16): town staff decide on a submitted page with its checklist.


@hooks.register("register_admin_urls")
def register_review_urls() -> list:
    return [
        path("community/review/<int:page_id>/", ReviewView.as_view(), name="community_review"),
        path(
            "community/review/<int:page_id>/preview/",
            ReviewPreviewView.as_view(),
            name="community_review_preview",
        ),
    ]


@hooks.register("construct_homepage_panels")
def review_from_the_dashboard(request, panels) -> None:
    """ "Awaiting your review" leads to the review screen, not to bare approve/reject buttons."""
    panels[:] = [
        ReviewQueuePanel() if type(panel) is WorkflowObjectsToModeratePanel else panel
        for panel in panels
    ]


@hooks.register("construct_page_action_menu")
def review_from_the_edit_form(menu_items, request, context) -> None:
    """A reviewer on the edit form of a page awaiting them gets one way to decide, the review
    screen: Wagtail's approve/reject items and 「公開」 would skip the checklist."""
    page = context.get("page")
    if context.get("view") != "edit" or page is None:
        return
    task_state = page.current_workflow_task_state
    if task_state is None or not user_can_review(task_state, request.user):
        return
    skipping = (WorkflowMenuItem, PublishMenuItem)
    menu_items[:] = [item for item in menu_items if not isinstance(item, skipping)]
    menu_items.insert(0, ReviewMenuItem(order=0))


@hooks.register("construct_page_action_menu")
def submit_first_for_group_editors(menu_items, request, context) -> None:
    """A group editor's main button is 承認を依頼 (保存 moves into the menu): submitting is what
    they come for, and opening the menu first put a weekly event over 8 clicks (issue 16)."""
    if not is_group_editor_only(request.user):
        return
    submit = [item for item in menu_items if isinstance(item, SubmitForModerationMenuItem)]
    menu_items[:] = submit + [item for item in menu_items if item not in submit]
