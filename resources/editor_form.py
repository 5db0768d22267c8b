"""One screen for community groups' editors; the full tabs for town staff.

Page types build their edit handler with ``editor_aware_tabs``: staff's tabs keep every field,
and a last tab (何を・いつ・どこで・連絡先・対象・費用) is the whole form for users without
``TOWN_PERMISSION``. ``EditorFormMixin`` then trims the bound form to that tab's fields, so the
internal fields an editor never sees (外部ID, サンプル, coordinates, slug…) keep their stored or
default values instead of being blanked by a POST that lacks them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Q
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, Panel, TabbedInterface
from wagtail.models import Page
from wagtail.models.panels import CommentPanelPlaceholder
from wagtail.permission_policies.pages import PagePermissionPolicy

# Town staff hold it (community.services.STAFF_PERMISSIONS) and superusers; groups' editors not.
TOWN_PERMISSION = "resources.change_organization"


def uses_simple_form(user: Any) -> bool:
    """Editors of a group get the one-screen form; whoever may manage operators, the full one."""
    return not user.has_perm(TOWN_PERMISSION)


class SimpleFormObjectList(ObjectList):
    """The editors' one screen: shown only to users of the simple form."""

    class BoundPanel(ObjectList.BoundPanel):
        def is_shown(self) -> bool:
            return uses_simple_form(self.request.user) and super().is_shown()


class EditorAwareTabs(TabbedInterface):
    """Tabs whose last child is the editors' screen; the form learns which fields it holds."""

    def get_form_class(self) -> type[forms.Form]:
        form_class = super().get_form_class()
        options = self.children[-1].get_form_options()
        form_class.simple_fields = frozenset(options.get("fields", ()))
        form_class.simple_formsets = frozenset(options.get("formsets", {}))
        return form_class

    class BoundPanel(TabbedInterface.BoundPanel):
        def render_missing_fields(self) -> str:
            """Wagtail renders fields no panel claims; form-only fields that a panel renders
            itself (``EditorFormMixin.panel_rendered_fields``) are not rendered twice."""
            rendered = {
                *self.panel.get_form_options().get("fields", []),
                *getattr(self.form, "panel_rendered_fields", ()),
            }
            missing = [str(self.form[name]) for name in self.form.fields if name not in rendered]
            return mark_safe("".join(missing))


def editor_aware_tabs(
    content_panels: list[Panel], simple: list[Panel], *, base_form_class: type
) -> EditorAwareTabs:
    """Wagtail's usual tabs (content, promote, settings) for town staff, ``simple`` (see
    ``simple_panels``) for groups' editors."""
    staff_tabs = [
        ObjectList(panels, heading=heading, permission=TOWN_PERMISSION)
        for panels, heading in (
            (content_panels, _("Content")),
            (Page.promote_panels, _("Promote")),
            (Page.settings_panels, _("Settings")),
        )
    ]
    editors_tab = SimpleFormObjectList(simple, heading=_("Content"))
    return EditorAwareTabs([*staff_tabs, editors_tab], base_form_class=base_form_class)


def simple_panels(
    *,
    when: list[Panel],
    where: list[Panel],
    audience: list[Panel],
    more: list[Panel] = (),
    with_cost: bool = True,
) -> list[Panel]:
    """The editors' screen in the order a notice is written: 何を・いつ・どこで・連絡先・対象・
    費用, then what only some page types have (``more``)."""
    return [
        MultiFieldPanel(
            [
                *Page.content_panels,
                FieldPanel("summary"),
                FieldPanel("body"),
                FieldPanel("image"),
                FieldPanel("tags"),
            ],
            heading=pgettext_lazy("editor form section", "What"),
        ),
        MultiFieldPanel(when, heading=pgettext_lazy("editor form section", "When")),
        MultiFieldPanel(where, heading=pgettext_lazy("editor form section", "Where")),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("email"), FieldPanel("contact_note")],
            heading=_("contact"),
        ),
        MultiFieldPanel(audience, heading=_("who it is for")),
        *(
            [MultiFieldPanel([FieldPanel("cost"), FieldPanel("cost_note")], heading=_("cost"))]
            if with_cost
            else []
        ),
        *more,
        # Wagtail's comments (the reviewer's notes in the side panel) as on the full form.
        *(panel for panel in Page.settings_panels if isinstance(panel, CommentPanelPlaceholder)),
    ]


def usable_places(user: Any):
    """Places a group's editor may name as the venue: the town's published public places and
    any place the editor may edit (their group's own, drafts included)."""
    from .models import PlacePage

    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    public = PlacePage.objects.live().public()
    own = PlacePage.objects.filter(pk__in=editable.type(PlacePage).values("pk"))
    return PlacePage.objects.filter(Q(pk__in=public.values("pk")) | Q(pk__in=own.values("pk")))


class EditorFormMixin:
    """For users of the simple form: only the editors' screen's fields and formsets, a plain
    select of usable places, and coordinates taken from the place or the district."""

    simple_fields: frozenset[str] = frozenset()
    simple_formsets: frozenset[str] = frozenset()
    # Fields the form adds that a panel of the editors' screen renders itself.
    panel_rendered_fields: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.simple = self.for_user is not None and uses_simple_form(self.for_user)
        if not self.simple:
            return
        # Only the panels' fields: Wagtail's own (comment notifications…) stay.
        hidden = set(self._meta.fields or ()) - self.simple_fields
        for name in hidden & set(self.fields):
            del self.fields[name]
        for name in [name for name in self.formsets if name not in self.simple_formsets]:
            del self.formsets[name]
        if "place" in self.fields:
            field = self.fields["place"]
            field.widget = forms.Select()
            field.queryset = usable_places(self.for_user).order_by("title")

    def clean(self) -> dict:
        cleaned_data = super().clean()
        if self.simple:
            self._locate(cleaned_data)
        return cleaned_data

    def _locate(self, cleaned_data: dict) -> None:
        """Editors never type coordinates: the chosen place's, else the district's centre."""
        instance = self.instance
        moved = {"place", "area", "address"} & set(self.changed_data)
        if instance.latitude is not None and not moved:
            return
        place, area = cleaned_data.get("place"), cleaned_data.get("area")
        if place is not None and place.latitude is not None:
            instance.latitude, instance.longitude = place.latitude, place.longitude
        elif area is not None:
            instance.latitude, instance.longitude = area.latitude, area.longitude
        else:
            instance.latitude = instance.longitude = None

    def _update_errors(self, errors: ValidationError) -> None:
        """The model's errors on fields the editor does not see go to the top of the form
        (Django refuses errors for fields a form lacks), or to the field that sets them."""
        if self.simple and hasattr(errors, "error_dict"):
            moved: dict[str, list] = {}
            for name, messages in errors.error_dict.items():
                target = self.error_field_for(name)
                moved.setdefault(target, []).extend(messages)
            errors = ValidationError(moved)
        super()._update_errors(errors)

    def error_field_for(self, name: str) -> str:
        return name if name in self.fields or name == NON_FIELD_ERRORS else NON_FIELD_ERRORS
