"""The first-run page: before any site exists, a superuser sets the town up from the admin.

It runs the same code as ``manage.py setup_town`` (tsunagu/town.py); a districts CSV goes
through ``import_areas``'s reader. Only superusers see it, and only until the town is set up.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import permission_denied
from django.views.generic import FormView
from wagtail.admin.ui.components import Component
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from resources.areas import read_areas_csv
from resources.importing.files import ImportRejected, read_text

from .town import TownReader, TownSettingsError, needs_setup, setup_town

MAX_DISTRICTS_BYTES = 1_000_000


class SetupTownForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("municipality"), max_length=60)
    kana = forms.CharField(
        label=gettext_lazy("municipality (kana)"), max_length=120, required=False
    )
    hostname = forms.CharField(
        label=gettext_lazy("Host name of the site"),
        max_length=253,
        help_text=gettext_lazy("As residents will type it, e.g. tsunagu.town.example.jp."),
    )
    districts = forms.FileField(
        label=gettext_lazy("Districts (CSV, optional)"),
        required=False,
        help_text=gettext_lazy(
            "Columns 名称, かな, 緯度, 経度 (and optionally コード); UTF-8 or Shift_JIS. "
            "You can load them later with import_areas."
        ),
    )

    def clean_districts(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("districts")
        if upload is not None and upload.size > MAX_DISTRICTS_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload


def _upload_text(upload: UploadedFile) -> str:
    """The upload decoded as ``import_areas`` decodes a file (UTF-8 with or without BOM, CP932)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "districts.csv"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        return read_text(path)


class SetupTownView(WagtailAdminTemplateMixin, FormView):
    template_name = "tsunagu/admin/setup_town.html"
    form_class = SetupTownForm
    page_title = gettext_lazy("Set up the town")
    header_icon = "site"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_superuser:
            # A 403, not Wagtail's redirect to the dashboard that a raised PermissionDenied gets.
            return permission_denied(request, PermissionDenied())
        if not needs_setup():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self) -> dict[str, Any]:
        return {"hostname": self.request.get_host().partition(":")[0]}

    def get_breadcrumbs_items(self) -> list[dict[str, str]]:
        return [*super().get_breadcrumbs_items(), {"url": "", "label": self.page_title}]

    def form_valid(self, form: SetupTownForm) -> HttpResponse:
        data = form.cleaned_data
        document = {
            "town": {"name": data["name"], "kana": data["kana"]},
            "site": {"hostname": data["hostname"]},
        }
        try:
            town = TownReader().read(document)
            if data["districts"] is not None:
                town.districts = read_areas_csv(_upload_text(data["districts"]))
            changes = setup_town(town)
        except ImportRejected as exc:
            for message in exc.errors:
                form.add_error(None, message)
            return self.form_invalid(form)
        except TownSettingsError:
            form.add_error(None, _("This database holds the sample town (load_demo)."))
            return self.form_invalid(form)
        messages.success(self.request, _("The town is set up.") + " " + " ".join(changes))
        return redirect("wagtailadmin_home")


class SetupTownPanel(Component):
    """On the dashboard, first of all, while there is no site: the way to set the town up."""

    name = "tsunagu_setup_town"
    order = 10
    template_name = "tsunagu/admin/setup_town_panel.html"
