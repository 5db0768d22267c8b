"""The coordinators' workspace in the Wagtail admin: the register, sign-ups and hours.

Every view here is behind model permissions that community-group editors do not have; the
state changes with rules (approve, erase, cancel, approve hours) go through the services.
"""

from typing import Any

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import yesno
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.dateparse import parse_date
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem as AdminMenuItem
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import HeaderButton
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from matching.access import user_town_ids, visible_areas
from resources.area_choices import TownAreaChoiceField, TownAreaFilter
from resources.models import Area, Term
from tsunagu.exports import SafeIndexView, SafeSpreadsheetExportMixin

from . import services
from .availability import codes_to_mask, flat_slot_choices
from .models import HoursEntry, OpportunityPage, Shift, SignUp, Volunteer
from .selectors import hours_totals


class VolunteerPermissionPolicy(ModelPermissionPolicy):
    """No hard delete: it would lose the anonymous counts. Erasure is the "withdraw" action."""

    def user_has_permission(self, user, action: str) -> bool:
        return action != "delete" and super().user_has_permission(user, action)


class SignUpPermissionPolicy(ModelPermissionPolicy):
    """View only: sign-ups change through the services (slots, waiting list, emails)."""

    def user_has_permission(self, user, action: str) -> bool:
        return action == "view" and super().user_has_permission(user, action)


register_permission_policy(Volunteer, VolunteerPermissionPolicy(Volunteer))
register_permission_policy(SignUp, SignUpPermissionPolicy(SignUp))


# --- The register


class VolunteerAdminForm(WagtailAdminModelForm):
    """Staff may register someone who telephoned, but only with their consent on record.

    Any town's district may be recorded (who sees which volunteers is not decided here); with
    several towns they are grouped under the town's name, so two 「中央」 can be told apart."""

    area = Volunteer._meta.get_field("area").formfield(form_class=TownAreaChoiceField)

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("consent_at"):
            self.add_error("consent_at", _("Record when the person agreed to the privacy notice."))
        return cleaned_data


def register_areas(user: Any) -> QuerySet[Area]:
    """The district choices of the volunteer register's filter.

    Volunteer coordinators usually belong to no team, so their towns are often unknown: a user
    with towns of their own (``matching.access.user_town_ids``: their teams' sites) is offered
    those towns' districts; anybody else — staff in no team, superusers, everyone on an install
    of one town — every district, grouped under its town's name when there are several. The
    filter only narrows the list the user is already shown (which volunteers that is, is not
    decided here), so offering a district reveals nothing of another town's volunteers.
    """
    towns = user_town_ids(user)
    return visible_areas(user) if towns else Area.objects.all()


class VolunteerFilterSet(WagtailFilterSet):
    active = django_filters.BooleanFilter(label=gettext_lazy("active"), method="filter_active")
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("status"), choices=Volunteer.Status.choices
    )
    area = TownAreaFilter(
        label=gettext_lazy("district"), queryset=lambda request: register_areas(request.user)
    )
    skills = django_filters.ModelMultipleChoiceFilter(
        label=gettext_lazy("skills and interests (any of)"),
        queryset=Term.objects.filter(kind=Term.Kind.INTEREST),
        widget=forms.CheckboxSelectMultiple,
        distinct=True,
    )
    availability = django_filters.MultipleChoiceFilter(
        label=gettext_lazy("available (any of)"),
        choices=flat_slot_choices,
        widget=forms.CheckboxSelectMultiple,
        method="filter_availability",
    )
    willing_to_accompany = django_filters.BooleanFilter(
        label=gettext_lazy("willing to accompany someone")
    )

    class Meta:
        model = Volunteer
        fields: list[str] = []

    def filter_active(self, queryset, name, value):
        if value is None:
            return queryset
        active = Volunteer.Status.ACTIVE
        return queryset.filter(status=active) if value else queryset.exclude(status=active)

    def filter_availability(self, queryset, name, value):
        mask = codes_to_mask(value)
        if not mask:
            return queryset
        return queryset.alias(overlap=F("availability").bitand(mask)).filter(overlap__gt=0)


class VolunteerIndexView(SafeSpreadsheetExportMixin, IndexView):
    approve_url_name: str | None = None
    withdraw_url_name: str | None = None
    issue_code_url_name: str | None = None

    def get_base_queryset(self):
        # Withdrawn rows are anonymous tombstones kept for counts: nothing to act on.
        return (
            super()
            .get_base_queryset()
            .exclude(status=Volunteer.Status.WITHDRAWN)
            .select_related("area")
        )

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if self.user_has_permission("change"):
            if instance.status == Volunteer.Status.PENDING:
                buttons.append(
                    MenuItem(
                        _("Approve"),
                        url=reverse(self.approve_url_name, args=[instance.pk]),
                        icon_name="check",
                        priority=5,
                    )
                )
            buttons.append(
                MenuItem(
                    _("Issue a sign-up code"),
                    url=reverse(self.issue_code_url_name, args=[instance.pk]),
                    icon_name="key",
                    priority=20,
                )
            )
            buttons.append(
                MenuItem(
                    _("Withdraw and erase"),
                    url=reverse(self.withdraw_url_name, args=[instance.pk]),
                    icon_name="bin",
                    priority=40,
                )
            )
        return buttons


class VolunteerActionView(WagtailAdminTemplateMixin, TemplateView):
    """A confirmation page, then one service call on POST (approve, or withdraw and erase)."""

    template_name = "volunteers/admin/confirm_action.html"
    header_icon = "user"
    index_url_name: str | None = None
    question = ""
    button_label = ""
    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("volunteers.change_volunteer"):
            raise PermissionDenied
        self.volunteer = get_object_or_404(
            Volunteer.objects.exclude(status=Volunteer.Status.WITHDRAWN), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return str(self.volunteer)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            volunteer=self.volunteer,
            question=self.question,
            button_label=self.button_label,
            index_url=reverse(self.index_url_name),
            **kwargs,
        )

    def act(self) -> None:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        try:
            self.act()
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, self.success_message)
        return redirect(self.index_url_name)


class VolunteerApproveView(VolunteerActionView):
    page_title = gettext_lazy("Approve volunteer")
    question = gettext_lazy(
        "Approve this registration? The volunteer receives a welcome email with their link."
    )
    button_label = gettext_lazy("Yes, approve")
    success_message = gettext_lazy("Approved. A confirmation email is on its way.")

    def act(self) -> None:
        services.volunteer_approve(volunteer=self.volunteer, by=self.request.user)


class VolunteerWithdrawView(VolunteerActionView):
    page_title = gettext_lazy("Withdraw and erase")
    question = gettext_lazy(
        "Erase this person's data? Their upcoming sign-ups are cancelled and only anonymous "
        "counts are kept. This cannot be undone."
    )
    button_label = gettext_lazy("Yes, erase")
    success_message = gettext_lazy("The volunteer's personal data has been erased.")

    def act(self) -> None:
        services.volunteer_withdraw(volunteer=self.volunteer, by=self.request.user)


class VolunteerIssueCodeView(VolunteerActionView):
    """A new sign-up code for someone without email, shown once for staff to read out."""

    page_title = gettext_lazy("Issue a sign-up code")
    question = gettext_lazy(
        "Issue a new sign-up code? With it and their telephone number the volunteer signs up "
        "and cancels on the public pages without email. Any earlier code stops working."
    )
    button_label = gettext_lazy("Yes, issue a code")

    def post(self, request, *args, **kwargs):
        try:
            code = services.volunteer_issue_code(volunteer=self.volunteer, by=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
            return redirect(self.index_url_name)
        # Rendered, not redirected: the code must not travel in a message cookie or session.
        response = self.render_to_response(self.get_context_data(code=code))
        add_never_cache_headers(response)
        return response

    def get_template_names(self) -> list[str]:
        if self.request.method == "POST":
            return ["volunteers/admin/code_issued.html"]
        return super().get_template_names()


class PlainValuesInspectView(InspectView):
    """Wagtail prints an empty field as "None" and a yes/no as "True"/"False", English to our
    staff: "-" as it shows an empty list, and はい/いいえ as the register's column does."""

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, bool):
            return yesno(value)
        return "-" if value is None else value


class VolunteerViewSet(ModelViewSet):
    model = Volunteer
    edit_handler = ObjectList(Volunteer.panels, base_form_class=VolunteerAdminForm)
    index_view_class = VolunteerIndexView
    filterset_class = VolunteerFilterSet
    icon = "user"
    menu_label = gettext_lazy("Volunteer register")
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = PlainValuesInspectView
    inspect_view_fields = [
        "name", "kana", "email", "phone", "area", "age_band", "skills", "availability",
        "travel_range", "has_car", "languages", "willing_to_accompany", "notes",
        "public_profile", "display_name", "show_skills", "show_district", "show_message",
        "public_message", "status", "consent_at", "privacy_notice_version", "approved_at",
        "approved_by", "signup_code_issued_at", "created_at", "is_sample",
    ]  # fmt: skip
    list_display = [
        "name", "kana", "area", "status",
        # Wagtail shows a boolean as "True"/"False" (BooleanColumn too, in its icons' titles).
        Column(
            "willing_to_accompany",
            label=capfirst(Volunteer._meta.get_field("willing_to_accompany").verbose_name),
            accessor=lambda volunteer: yesno(volunteer.willing_to_accompany),
            sort_key="willing_to_accompany",
        ),
        "created_at",
    ]  # fmt: skip
    list_export = ["name", "kana", "email", "phone", "area", "status", "willing_to_accompany"]
    export_filename = "volunteers"
    search_fields = ["name", "kana", "email", "phone"]
    search_backend_name = None  # the ORM: personal data never goes into the search index
    ordering = ["kana"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            approve_url_name=self.get_url_name("approve"),
            withdraw_url_name=self.get_url_name("withdraw"),
            issue_code_url_name=self.get_url_name("issue_code"),
            **kwargs,
        )

    def get_urlpatterns(self):
        action_kwargs = {"index_url_name": self.get_url_name("index")}
        return [
            *super().get_urlpatterns(),
            path(
                "approve/<int:pk>/",
                VolunteerApproveView.as_view(**action_kwargs),
                name="approve",
            ),
            path(
                "withdraw/<int:pk>/",
                VolunteerWithdrawView.as_view(**action_kwargs),
                name="withdraw",
            ),
            path(
                "issue-code/<int:pk>/",
                VolunteerIssueCodeView.as_view(**action_kwargs),
                name="issue_code",
            ),
        ]


# --- Sign-ups


class SignUpFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("status"), choices=SignUp.Status.choices
    )
    opportunity = django_filters.ModelChoiceFilter(
        label=gettext_lazy("volunteer opportunity"),
        field_name="shift__opportunity",
        queryset=OpportunityPage.objects.order_by("title"),
    )
    date = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("shift date"), field_name="shift__date"
    )

    class Meta:
        model = SignUp
        fields: list[str] = []


class SignUpIndexView(IndexView):
    cancel_url_name: str | None = None
    on_behalf_url_name: str | None = None

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm("volunteers.change_signup"):
            buttons.append(
                HeaderButton(
                    _("Sign up on their behalf"),
                    url=reverse(self.on_behalf_url_name),
                    icon_name="plus",
                )
            )
        return buttons

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("volunteer", "shift__opportunity")

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.status != SignUp.Status.CANCELLED and self.request.user.has_perm(
            "volunteers.change_signup"
        ):
            buttons.append(
                MenuItem(
                    _("Cancel on their behalf"),
                    url=reverse(self.cancel_url_name, args=[instance.pk]),
                    icon_name="cross",
                    priority=40,
                )
            )
        return buttons


class SignUpCancelView(WagtailAdminTemplateMixin, TemplateView):
    """For volunteers who phone in: the same cancellation (and waiting-list promotion)."""

    template_name = "volunteers/admin/confirm_action.html"
    header_icon = "cross"
    page_title = gettext_lazy("Cancel sign-up")
    index_url_name: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("volunteers.change_signup"):
            raise PermissionDenied
        self.signup = get_object_or_404(
            SignUp.objects.select_related("volunteer", "shift__opportunity"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self) -> str:
        return str(self.signup)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            question=_("Cancel this sign-up? The next person waiting moves up and is told."),
            button_label=_("Yes, cancel it"),
            index_url=reverse(self.index_url_name),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        try:
            services.signup_cancel(signup=self.signup)
            messages.success(request, _("The sign-up has been cancelled."))
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect(self.index_url_name)


class SignUpOnBehalfForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        label=gettext_lazy("volunteer"),
        queryset=Volunteer.objects.filter(status=Volunteer.Status.ACTIVE).order_by("kana"),
    )
    shift = forms.ModelChoiceField(
        label=gettext_lazy("shift"),
        queryset=Shift.objects.none(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        upcoming = Shift.objects.filter(
            opportunity__live=True, date__gte=timezone.localdate()
        ).select_related("opportunity")
        self.fields["shift"].queryset = upcoming.order_by("date", "starts_at")


class SignUpOnBehalfView(WagtailAdminTemplateMixin, FormView):
    """For volunteers who telephone the office: staff sign them up, with the same rules (slots,
    waiting list, one sign-up per person) and the same confirmation as signing up themselves."""

    template_name = "volunteers/admin/signup_on_behalf.html"
    form_class = SignUpOnBehalfForm
    page_title = gettext_lazy("Sign up on their behalf")
    header_icon = "date"
    index_url_name: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("volunteers.change_signup"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(index_url=reverse(self.index_url_name), **kwargs)

    def form_valid(self, form):
        try:
            signup = services.signup_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error.messages[0])
            return self.form_invalid(form)
        if signup.status == SignUp.Status.CONFIRMED:
            messages.success(self.request, _("Signed up. The volunteer will be told."))
        else:
            messages.success(
                self.request, _("Every place is taken: the volunteer is on the waiting list.")
            )
        return redirect(self.index_url_name)


class SignUpViewSet(ModelViewSet):
    model = SignUp
    index_view_class = SignUpIndexView
    filterset_class = SignUpFilterSet
    icon = "date"
    menu_label = gettext_lazy("Shift sign-ups")
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_class = PlainValuesInspectView
    inspect_view_fields = [
        "volunteer", "shift", "status", "created_at", "confirmed_at", "promoted_at",
        "cancelled_at",
    ]  # fmt: skip
    list_display = ["shift", "volunteer", "status", "created_at"]
    form_fields: list[str] = []
    ordering = ["-shift__date", "created_at"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(
            cancel_url_name=self.get_url_name("cancel"),
            on_behalf_url_name=self.get_url_name("on_behalf"),
            **kwargs,
        )

    def get_urlpatterns(self):
        index = {"index_url_name": self.get_url_name("index")}
        return [
            *super().get_urlpatterns(),
            path("cancel/<int:pk>/", SignUpCancelView.as_view(**index), name="cancel"),
            path("on-behalf/", SignUpOnBehalfView.as_view(**index), name="on_behalf"),
        ]


# --- Hours


class HoursEntryViewSet(ModelViewSet):
    model = HoursEntry
    index_view_class = SafeIndexView
    icon = "time"
    menu_label = gettext_lazy("Volunteer hours")
    copy_view_enabled = False
    list_display = ["volunteer", "date", "hours", "organization", "source", "status"]
    list_filter = ["status", "source", "organization"]
    list_export = ["date", "hours", "organization", "source", "status"]
    export_filename = "volunteer-hours"
    ordering = ["-date"]


class HoursReviewView(WagtailAdminTemplateMixin, TemplateView):
    """Pending hours with checkboxes: approve or reject the ticked ones in one go."""

    template_name = "volunteers/admin/hours_review.html"
    header_icon = "tasks"
    page_title = gettext_lazy("Hours awaiting approval")
    totals_url_name: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("volunteers.change_hoursentry"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        entries = (
            HoursEntry.objects.filter(status=HoursEntry.Status.PENDING)
            .select_related("volunteer", "organization")
            .order_by("date", "pk")[:200]
        )
        return super().get_context_data(
            entries=entries, totals_url=reverse(self.totals_url_name), **kwargs
        )

    def post(self, request, *args, **kwargs):
        ids = [int(pk) for pk in request.POST.getlist("entry") if pk.isdigit()]
        approve = request.POST.get("action") == "approve"
        count = services.hours_review(entry_ids=ids, approve=approve, by=request.user)
        message = _("%(count)d entries approved.") if approve else _("%(count)d entries rejected.")
        messages.success(request, message % {"count": count})
        return redirect(request.path)


class HoursTotalsView(WagtailAdminTemplateMixin, TemplateView):
    """Approved hours per volunteer, organisation or month (the reports reuse the selector)."""

    template_name = "volunteers/admin/hours_totals.html"
    header_icon = "table"
    page_title = gettext_lazy("Volunteer hours totals")
    GROUPINGS = {
        "month": gettext_lazy("per month"),
        "organization": gettext_lazy("per group"),
        "volunteer": gettext_lazy("per volunteer"),
    }

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("volunteers.view_hoursentry") and not request.user.has_perm(
            "volunteers.change_hoursentry"
        ):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        by = self.request.GET.get("by")
        by = by if by in self.GROUPINGS else "month"
        since = parse_date(self.request.GET.get("since") or "")
        until = parse_date(self.request.GET.get("until") or "")
        rows = hours_totals(by=by, since=since, until=until)
        return super().get_context_data(
            by=by,
            by_label=self.GROUPINGS[by],
            groupings=self.GROUPINGS,
            since=since,
            until=until,
            rows=rows,
            total=sum((row.hours for row in rows), start=0),
            **kwargs,
        )


class HoursReviewViewSet(ViewSet):
    """Not a model: the approval queue and the totals, under the volunteers menu."""

    icon = "tasks"
    menu_label = gettext_lazy("Approve hours")

    @cached_property
    def menu_item_class(self):
        class HoursMenuItem(AdminMenuItem):
            def is_shown(self, request):
                return request.user.has_perm("volunteers.change_hoursentry")

        return HoursMenuItem

    @property
    def menu_url(self) -> str:
        return reverse(self.get_url_name("index"))

    def get_urlpatterns(self):
        return [
            path(
                "",
                HoursReviewView.as_view(totals_url_name=self.get_url_name("totals")),
                name="index",
            ),
            path("totals/", HoursTotalsView.as_view(), name="totals"),
        ]


class VolunteersAdminGroup(ViewSetGroup):
    menu_label = gettext_lazy("Volunteers")
    menu_icon = "group"
    menu_order = 250
    items = (
        VolunteerViewSet("volunteer_register"),
        SignUpViewSet("volunteer_signups"),
        HoursEntryViewSet("volunteer_hours"),
        HoursReviewViewSet("volunteer_hours_review"),
    )
