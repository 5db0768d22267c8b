"""Admin: districts, operators and the tag vocabulary as snippets, under one "地域資源" menu.

Searches use the database's ``icontains`` rather than the search backend: the backend treats
a run of Japanese characters as one token, so staff typing part of a name would find nothing.
"""

from typing import Any

from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from tsunagu.sites import staff_sites

from .models import Area, OfferTerm, Organization, PlaceNameReading, Term
from .schedule_widget import preview as schedule_preview
from .selectors import organizations_for_staff


@hooks.register("register_admin_urls")
def register_schedule_preview_url() -> list:
    """The editors' schedule widget asks here for the next dates (admin users only)."""
    return [
        path("schedule-preview/", schedule_preview, name="resources_schedule_preview"),
    ]


class TermFilterSet(WagtailFilterSet):
    class Meta:
        model = Term
        fields = ["kind"]


class OrganizationFilterSet(WagtailFilterSet):
    class Meta:
        model = Organization
        fields = ["kind", "is_sample"]


class AreaViewSet(SnippetViewSet):
    model = Area
    icon = "site"
    list_display = ["name", "kana", "order", "latitude", "longitude"]
    search_fields = ["name", "kana"]
    search_backend_name = None
    ordering = ["order", "kana"]


class OwnTownsOnly:
    """An organisation of another town is not there for a town's staff (issue 17): its
    edit, copy, usage, history and delete screens answer 404; a superuser sees every town's."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        pk = kwargs.get("pk")
        if pk is not None:
            mine = organizations_for_staff(request.user)
            if not mine.filter(pk=unquote(str(pk))).exists():
                raise Http404
        return super().dispatch(request, *args, **kwargs)


def _own_towns_only(view_class: type) -> type:
    return type(f"OwnTowns{view_class.__name__}", (OwnTownsOnly, view_class), {})


class OrganizationCreateView(SnippetViewSet.add_view_class):
    """Town staff's new organisation belongs to their town (only a superuser sees the field)."""

    def save_instance(self) -> Organization:
        if "site" not in self.form.fields:
            own = staff_sites(self.request.user).order_by("-is_default_site", "pk").first()
            if own is not None:
                self.form.instance.site = own
        return super().save_instance()


class OrganizationViewSet(SnippetViewSet):
    model = Organization
    add_view_class = OrganizationCreateView
    edit_view_class = _own_towns_only(SnippetViewSet.edit_view_class)
    copy_view_class = _own_towns_only(SnippetViewSet.copy_view_class)
    delete_view_class = _own_towns_only(SnippetViewSet.delete_view_class)
    usage_view_class = _own_towns_only(SnippetViewSet.usage_view_class)
    history_view_class = _own_towns_only(SnippetViewSet.history_view_class)
    inspect_view_class = _own_towns_only(SnippetViewSet.inspect_view_class)
    icon = "group"
    list_display = [
        "name",
        "kind",
        # Shown as a word, not a tick: staff must see at a glance which rows are demo data.
        Column(
            "is_sample",
            label=_("sample data"),
            accessor=lambda organization: _("Sample") if organization.is_sample else "",
            sort_key="is_sample",
        ),
        "assured_date",
    ]
    filterset_class = OrganizationFilterSet
    search_fields = ["name", "kana", "description"]
    search_backend_name = None
    ordering = ["kana", "name"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        """The town's own organisations (every town's for a superuser)."""
        return organizations_for_staff(request.user)


class TermViewSet(SnippetViewSet):
    model = Term
    icon = "tag"
    list_display = ["name", "kana", "kind", "parent", "synonyms"]
    filterset_class = TermFilterSet
    search_fields = ["name", "kana", "synonyms"]
    search_backend_name = None
    ordering = ["kind", "kana", "name"]


class OfferTermViewSet(SnippetViewSet):
    """Which 配慮 term each listing flag stands for: the matcher meets a client's 配慮 with it."""

    model = OfferTerm
    icon = "link"
    list_display = ["flag", "term"]
    search_fields = ["term"]
    search_backend_name = None
    ordering = ["flag", "term"]


class PlaceNameReadingViewSet(SnippetViewSet):
    """The town's readings of place names, which furigana prefers to the dictionary's."""

    model = PlaceNameReading
    icon = "openquote"
    list_display = ["written", "reading"]
    search_fields = ["written", "reading"]
    search_backend_name = None
    ordering = ["reading"]


class ResourcesSnippetGroup(SnippetViewSetGroup):
    menu_label = _("community resources")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (
        OrganizationViewSet,
        AreaViewSet,
        TermViewSet,
        OfferTermViewSet,
        PlaceNameReadingViewSet,
    )


register_snippet(ResourcesSnippetGroup)
