"""Forms of the coordinator's workspace. Input is NFKC-normalised where people type numbers."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from .access import writable_areas, writable_teams
from .models import Client, Consent, Placement, Referral, SupportPlan, Team
from .models.clients import AVAILABILITY_CHOICES
from .services import OnWithdrawal, placement_start_problem


class ClientForm(WagtailAdminModelForm):
    """The client record; the team only one whose clients the user may write (their own),
    coordinators from those teams, and a district of the team's town (issue 17)."""

    availability = forms.MultipleChoiceField(
        label=_("availability"),
        choices=AVAILABILITY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Weekdays and times of day the person can take part."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        teams = writable_teams(self.for_user)
        self.fields["team"].queryset = teams
        if "coordinators" in self.fields:
            self.fields["coordinators"].queryset = (
                get_user_model()
                .objects.filter(is_active=True, team_memberships__team__in=teams)
                .distinct()
                .order_by("username")
            )
        if "area" in self.fields:
            self.fields["area"].queryset = writable_areas(self.for_user)
        if not self.instance.pk and teams.count() == 1:
            self.fields["team"].initial = teams.first()
        if "referred_on" in self.fields:
            self.fields["referred_on"].required = False

    def clean(self) -> dict:
        """A district of another town than the team's is refused (superusers, or a member of
        teams in two towns, are offered the districts of both)."""
        data = super().clean()
        area, team = data.get("area"), data.get("team")
        if area is not None and team is not None and area.site_id != team.site_id:
            self.add_error("area", _("Choose a district of the town of the person's team."))
        return data

    def clean_referred_on(self) -> Any:
        """Left empty: the day already recorded, or today for a new case."""
        referred_on = self.cleaned_data.get("referred_on")
        if referred_on is None:
            return self.instance.referred_on or timezone.localdate()
        if referred_on > timezone.localdate():
            raise forms.ValidationError(_("The referral date cannot be in the future."))
        return referred_on


class ConsentForm(forms.ModelForm):
    """A consent record; for a withdrawal the note is its reason (required) and the coordinator
    chooses what happens to the open placements."""

    placements = forms.ChoiceField(
        label=_("open placements, if consent is withdrawn"),
        choices=OnWithdrawal.choices,
        initial=OnWithdrawal.END,
        widget=forms.RadioSelect,
        required=False,
    )

    class Meta:
        model = Consent
        fields = ["stage", "obtained_on", "scope", "method", "note", "placements"]
        widgets = {"obtained_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["obtained_on"].initial = timezone.localdate()
        self.fields["note"].help_text = _("For a withdrawal: why (required).")

    def clean(self) -> dict:
        data = super().clean()
        stage = data.get("stage")
        if stage == Consent.Stage.CONSENTED and not data.get("scope", "").strip():
            self.add_error("scope", _("Record what the person agreed to (the scope)."))
        if stage == Consent.Stage.WITHDRAWN and not data.get("note", "").strip():
            self.add_error("note", _("Give the reason for the withdrawal."))
        data["placements"] = data.get("placements") or OnWithdrawal.END
        return data


class TeamChoiceField(forms.ModelChoiceField):
    """A team named with its town (site), since two towns may have teams of the same name."""

    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name}（{obj.site.site_name or obj.site.hostname}）"


class ReferralForm(forms.ModelForm):
    """A referral (紹介) to another team, any town's, with the consent that allows it."""

    class Meta:
        model = Referral
        fields = ["to_team", "consent_on", "method", "scope"]
        field_classes = {"to_team": TeamChoiceField}
        widgets = {"consent_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = (
            Team.objects.exclude(pk=client.team_id)
            .select_related("site")
            .order_by("site__site_name", "site__hostname", "name")
        )
        self.fields["consent_on"].initial = timezone.localdate()


class PlanForm(forms.ModelForm):
    class Meta:
        model = SupportPlan
        fields = ["goals", "support_details", "meeting_date", "meeting_organisations", "review_due"]
        widgets = {
            "meeting_date": forms.DateInput(attrs={"type": "date"}),
            "review_due": forms.DateInput(attrs={"type": "date"}),
        }


class PlanReviewForm(forms.Form):
    reviewed_on = forms.DateField(
        label=_("reviewed on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("review note"), widget=forms.Textarea, required=False)
    review_due = forms.DateField(
        label=_("next review due"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class PlanCloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            (SupportPlan.Status.ENDED, SupportPlan.Status.ENDED.label),
            (SupportPlan.Status.INTERRUPTED, SupportPlan.Status.INTERRUPTED.label),
        ],
    )
    closed_on = forms.DateField(label=_("ended on"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea)


class ProposalSummaryForm(forms.Form):
    companion = forms.TypedChoiceField(
        label=_("companion volunteer"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("A volunteer who will go along with the person, if any."),
    )
    summary = forms.CharField(
        label=_("summary for the host place"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=1000,
        help_text=_(
            "The only information about the person the host place receives. Write only what the "
            "person agreed to share: no name, diagnosis, disability or financial details."
        ),
    )

    def __init__(self, *args: Any, companions: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["companion"].choices = [
            ("", "—"),
            *((c.volunteer_id, f"{c.name}（{c.area_name or '—'}）") for c in companions),
        ]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}))


class PlacementStatusForm(forms.Form):
    """The next status; the start day when it starts, why when it ends (a choice and words).

    The rules are the services' (they refuse the same input for every caller); here they come
    first, next to the field, so nothing is changed by a form that is wrong.
    """

    status = forms.ChoiceField(label=_("new status"))
    started_on = forms.DateField(
        label=_("start date"),
        required=False,
        # The browser's own date picker, which reads and writes ISO dates only.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The day the person first took part; may be in the past. The follow-up check-ins "
            "count from it."
        ),
    )
    end_reason = forms.ChoiceField(
        label=_("why it ended"),
        choices=[("", "—"), *Placement.EndReason.choices],
        required=False,
        help_text=_("Needed to end or interrupt; counted in the annual results."),
    )
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, placement: Placement, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.placement = placement
        statuses = [
            status
            for status in placement.next_statuses()
            if status != Placement.Status.PAUSED  # only a consent withdrawal pauses
        ]
        self.fields["status"].choices = [(s, Placement.Status(s).label) for s in statuses]
        if Placement.Status.ACTIVE in statuses and placement.started_on is None:
            self.fields["started_on"].initial = timezone.localdate()
        else:
            del self.fields["started_on"]  # resuming keeps the start it had
        if not {Placement.Status.ENDED, Placement.Status.INTERRUPTED} & set(statuses):
            del self.fields["end_reason"]

    def clean_started_on(self) -> Any:
        started_on = self.cleaned_data.get("started_on")
        if started_on is None:
            return timezone.localdate()
        if problem := placement_start_problem(self.placement, started_on):
            raise forms.ValidationError(problem)
        return started_on

    def clean(self) -> dict:
        data = super().clean()
        if data.get("status") in (Placement.Status.ENDED, Placement.Status.INTERRUPTED):
            if not data.get("end_reason"):
                self.add_error("end_reason", _("Choose why the placement ended."))
            if not data.get("reason", "").strip():
                self.add_error("reason", _("Give the reason."))
        return data


class PlacementCreateForm(forms.Form):
    activity = forms.ModelChoiceField(label=_("activity"), queryset=None)

    def __init__(self, *args: Any, activities: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["activity"].queryset = activities.order_by("title")


class RespondForm(forms.Form):
    """The host place's answer on the public page."""

    # Sent by the submit button pressed (受け入れる / 見送る).
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    comment = forms.CharField(
        label=_("comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
    )
