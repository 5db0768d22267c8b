"""A page inside a group's section always belongs to that group, whatever a form sent."""

from django.db.models.signals import pre_save

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


def connect() -> None:
    pre_save.connect(set_organization_from_section, dispatch_uid="community-section-organization")
