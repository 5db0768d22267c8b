"""Supervisors download the client audit log for a period as XLSX, for an audit or an inquiry.

Who may: the same rule as reading the log in the admin (``client_access(user).sees_all``).
The download is itself logged: one "matching.log.export" entry for every client in the file,
so each client's history shows who took a copy of it.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import View
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from wagtail.admin.widgets import AdminDateInput
from wagtail.log_actions import registry as log_actions

from .access import client_access
from .audit import client_log_many
from .models import Client, ClientLogEntry

TOKYO = ZoneInfo("Asia/Tokyo")
MAX_DAYS = 366
MAX_ROWS = 100_000
HEADER = (_("time"), _("user"), _("action"), _("reference code"), _("details"))


class AuditExportForm(forms.Form):
    date_from = forms.DateField(label=_("first day"), widget=AdminDateInput)
    date_to = forms.DateField(label=_("to (inclusive)"), widget=AdminDateInput)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if end < start:
                raise forms.ValidationError(_("The end date must not be before the start date."))
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(
                    _("Export at most %(days)d days at a time.") % {"days": MAX_DAYS}
                )
            count = self.entries().count()
            if count > MAX_ROWS:
                raise forms.ValidationError(
                    _(
                        "The period holds %(count)d entries, more than %(max)d: "
                        "choose a shorter one."
                    )
                    % {"count": count, "max": MAX_ROWS}
                )
        return data

    def entries(self) -> Any:
        """Entries from 00:00 of the first day to 24:00 of the last, in Tokyo time."""
        start = dt.datetime.combine(self.cleaned_data["date_from"], dt.time(), TOKYO)
        end = dt.datetime.combine(self.cleaned_data["date_to"], dt.time(), TOKYO)
        return ClientLogEntry.objects.filter(
            timestamp__gte=start, timestamp__lt=end + dt.timedelta(days=1)
        ).order_by("timestamp", "pk")


def _text(worksheet: Any, value: Any) -> WriteOnlyCell:
    """A cell that is text even when it starts with "=": nothing in the file runs."""
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def audit_workbook(entries: Iterable[ClientLogEntry]) -> bytes:
    """The XLSX file: time (Asia/Tokyo), user, action in Japanese, reference code, details."""
    entries = list(entries)
    codes = dict(
        Client.objects.filter(pk__in={e.client_id for e in entries}).values_list(
            "pk", "reference_code"
        )
    )
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="audit log")
    with translation.override("ja"):
        sheet.append([_text(sheet, str(title)) for title in HEADER])
        for entry in entries:
            when = entry.timestamp.astimezone(TOKYO).replace(tzinfo=None)
            details = ", ".join(f"{key}={value}" for key, value in sorted(entry.data.items()))
            time_cell = WriteOnlyCell(sheet, value=when)
            time_cell.number_format = "yyyy-mm-dd hh:mm:ss"
            sheet.append(
                [
                    time_cell,
                    _text(sheet, entry.user.get_username() if entry.user else "system"),
                    _text(sheet, str(log_actions.get_action_label(entry.action))),
                    _text(sheet, codes.get(entry.client_id) or entry.label),
                    _text(sheet, details),
                ]
            )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


class AuditExportView(View):
    """GET with no dates: the form; GET with a valid period: the file (and its log entries)."""

    template_name = "matching/admin/audit_export.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not client_access(request.user).sees_all:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = AuditExportForm(request.GET if "date_from" in request.GET else None)
        if not form.is_valid():
            return render(
                request,
                self.template_name,
                {"form": form, "page_title": _("Export the client audit log")},
                status=400 if form.is_bound else 200,
            )
        entries = list(form.entries().select_related("user"))
        content = audit_workbook(entries)
        start, end = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        client_log_many(
            clients=Client.objects.filter(pk__in={e.client_id for e in entries}),
            action="matching.log.export",
            by=request.user,
            date_from=start,
            date_to=end,
        )
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="client-audit-log-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"'
        )
        return response
