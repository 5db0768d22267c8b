"""The outbox in the Wagtail admin: every outgoing message with its state and reason, retrying
failed or expired ones, and the call list for people who have no email address.

Rows hold no content, so the list shows what kind of message it is and what became of it; the
call list composes each entry when it is shown (name, number, what to say) and is only for
staff with the ``call_message`` permission.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views.generic import IndexView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from tsunagu.exports import csv_writer

from . import registry, services
from .models import Message


class MessagePermissionPolicy(ModelPermissionPolicy):
    """View only: rows are never added, edited or deleted by hand. Retrying (which needs
    ``change_message``) and calling go through their own views and the services."""

    def user_has_permission(self, user, action: str) -> bool:
        return action == "view" and super().user_has_permission(user, action)


register_permission_policy(Message, MessagePermissionPolicy(Message))


class MessageFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("status"), choices=Message.Status.choices
    )
    kind = django_filters.ChoiceFilter(label=gettext_lazy("kind"), choices=registry.choices)
    since = django_filters.DateFilter(
        label=gettext_lazy("due on or after"), field_name="due_at", lookup_expr="date__gte"
    )

    class Meta:
        model = Message
        fields: list[str] = []


class MessageIndexView(IndexView):
    retry_url_name: str | None = None

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        can_retry = self.request.user.has_perm("outbox.change_message")
        if instance.status in Message.RETRYABLE and can_retry:
            buttons.append(
                MenuItem(
                    _("Send again"),
                    url=reverse(self.retry_url_name) + f"?id={instance.pk}",
                    icon_name="redirect",
                    priority=5,
                )
            )
        return buttons


class RetryForm(forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    since = forms.DateTimeField(
        label=gettext_lazy("Failed or expired messages due since"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": gettext_lazy("Enter a date and time.")},
    )

    def clean(self):
        data = super().clean()
        if not data.get("id") and not data.get("since"):
            raise forms.ValidationError(_("Choose a message, or a date and time to start from."))
        return data


class RetryView(WagtailAdminTemplateMixin, TemplateView):
    """Put failed or expired messages back in the queue: one, or all since a time."""

    template_name = "outbox/retry.html"
    page_title = gettext_lazy("Send again")
    header_icon = "redirect"
    index_url_name: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("outbox.change_message"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or RetryForm(initial=self.request.GET.dict())
        pk = form["id"].value()
        one = Message.objects.filter(pk=pk).first() if str(pk or "").isdigit() else None
        return super().get_context_data(
            form=form, message=one, index_url=reverse(self.index_url_name), **kwargs
        )

    def post(self, request, *args, **kwargs):
        form = RetryForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        ids = [form.cleaned_data["id"]] if form.cleaned_data.get("id") else []
        count = services.retry(ids=ids, since=form.cleaned_data.get("since"))
        messages.success(request, _("%(count)d message(s) will be sent again.") % {"count": count})
        return redirect(self.index_url_name)


class MessageViewSet(ModelViewSet):
    model = Message
    index_view_class = MessageIndexView
    filterset_class = MessageFilterSet
    icon = "mail"
    menu_label = gettext_lazy("Outgoing messages")
    add_to_admin_menu = False
    copy_view_enabled = False
    form_fields = ["reason"]  # required by ModelViewSet; the policy allows no edit view
    inspect_view_enabled = True
    inspect_view_fields = [
        "kind", "object_id", "topic", "status", "due_at", "next_attempt_at", "expires_at",
        "attempts", "interrupted", "last_attempt_at", "sent_at", "reason", "called_by",
        "called_at", "created_at",
    ]  # fmt: skip
    list_display = ["kind_label", "status", "due_at", "attempts", "sent_at", "reason"]
    ordering = ["-due_at", "-pk"]

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(retry_url_name=self.get_url_name("retry"), **kwargs)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path(
                "retry/",
                RetryView.as_view(index_url_name=self.get_url_name("index")),
                name="retry",
            ),
            path("calls/", CallListView.as_view(), name="calls"),
        ]


# --- the call list ---------------------------------------------------------------------------


class CallEntry:
    def __init__(self, message: Message) -> None:
        self.message = message
        kind = registry.get(message.kind)
        outcome = kind.compose(message) if kind else None
        if isinstance(outcome, registry.Call):
            self.name, self.phone, self.summary = outcome.name, outcome.phone, outcome.summary
        else:
            self.name, self.phone = "", ""
            self.summary = _("No longer needed: the record has changed since.")
        self.kind_label = message.kind_label()


class CallListView(WagtailAdminTemplateMixin, TemplateView):
    """電話連絡が必要な人: messages for people without email, until someone has called them."""

    template_name = "outbox/calls.html"
    page_title = gettext_lazy("People to telephone")
    header_icon = "mobile-alt"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("outbox.call_message"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def entries(self) -> list[CallEntry]:
        rows = Message.objects.filter(
            status=Message.Status.TO_CALL, kind__in=registry.callable_by(self.request.user)
        ).order_by("due_at", "pk")
        return [CallEntry(message) for message in rows[:500]]

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            return self.csv()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(entries=self.entries(), **kwargs)

    def csv(self) -> HttpResponse:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="calls-{stamp}.csv"'
        response.write("\ufeff")  # Excel reads UTF-8 only with a BOM
        writer = csv_writer(response)
        writer.writerow([_("due"), _("kind"), _("name"), _("phone"), _("what to say")])
        for entry in self.entries():
            due = timezone.localtime(entry.message.due_at).strftime("%Y-%m-%d %H:%M")
            writer.writerow([due, entry.kind_label, entry.name, entry.phone, entry.summary])
        return response

    def post(self, request, *args, **kwargs):
        ids = [int(v) for v in request.POST.getlist("done") if v.isdigit()]
        if not ids:
            messages.error(request, _("Tick the people you have telephoned."))
        else:
            count = services.mark_called(
                ids=ids, kinds=registry.callable_by(request.user), by=request.user
            )
            messages.success(request, _("%(count)d marked as telephoned.") % {"count": count})
        return redirect(request.path)
