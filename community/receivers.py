"""A page inside a group's section always belongs to that group, whatever a form sent."""

from typing import Any

from django.db.models.signals import pre_save
from wagtail.models import Page
from wagtail.signals import post_page_move

from resources.models import ListingPage

from .models import OrganizationSectionPage


def set_organization_from_section(sender, instance, **kwargs) -> None:
    """Editors cannot pick another organisation: the section decides, on every save."""
    if not isinstance(instance, ListingPage) or not instance.path or instance.depth < 2:
        return
    parent_path = instance.path[: -ListingPage.steplen]
    organization_id = (
        OrganizationSectionPage.objects.filter(path=parent_path)
        .values_list("organization_id", flat=True)
        .first()
    )
    if organization_id is not None:
        instance.organization_id = organization_id


def set_organization_after_move(
    sender: type, instance: Page, parent_page_after: Page, **kwargs: Any
) -> None:
    """Moving a listing into another group's section hands it to that group at once: Wagtail
    saves a moved page as a plain ``Page``, which the pre_save rule above does not see."""
    organization_id = (
        OrganizationSectionPage.objects.filter(pk=parent_page_after.pk)
        .values_list("organization_id", flat=True)
        .first()
    )
    if organization_id is not None:
        ListingPage.objects.filter(pk=instance.pk).update(organization_id=organization_id)


def connect() -> None:
    pre_save.connect(set_organization_from_section, dispatch_uid="community-section-organization")
    post_page_move.connect(set_organization_after_move, dispatch_uid="community-moved-organization")
