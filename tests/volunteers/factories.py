"""Volunteers, their section and opportunities, built the way the app builds them."""

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from wagtail.models import Page

from resources.models import Term
from tests.resources.factories import directory_page
from volunteers.availability import slots_to_mask
from volunteers.models import OpportunityPage, Shift, Volunteer, VolunteerIndexPage


def volunteer_index() -> VolunteerIndexPage:
    """The volunteering section under the site's home page (created with the directory's)."""
    index = VolunteerIndexPage.objects.first()
    if index is None:
        home = directory_page().get_parent()
        index = home.add_child(
            instance=VolunteerIndexPage(title="ボランティア", slug="volunteers", show_in_menus=True)
        )
        index.save_revision().publish()
    return index


class VolunteerFactory(DjangoModelFactory):
    """An approved, active volunteer unless told otherwise; ``skills`` and ``slots`` too."""

    class Meta:
        model = Volunteer

    name = factory.Sequence(lambda n: f"試験 太郎{n}")
    kana = factory.Sequence(lambda n: f"しけん たろう{n}")
    email = factory.Sequence(lambda n: f"volunteer{n}@example.jp")
    status = Volunteer.Status.ACTIVE
    consent_at = factory.LazyFunction(timezone.now)
    privacy_notice_version = "test"

    @classmethod
    def _create(
        cls,
        model_class: type[Volunteer],
        *args: Any,
        skills: Iterable[Term] = (),
        slots: Iterable[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> Volunteer:
        if slots:
            kwargs["availability"] = slots_to_mask(slots)
        volunteer = super()._create(model_class, *args, **kwargs)
        volunteer.skills.set(skills)
        return volunteer


_opportunity_numbers = itertools.count()


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def make_opportunity(
    *,
    shifts: Iterable[dict[str, Any]] = ({},),
    parent: Page | None = None,
    skills: Iterable[Term] = (),
    publish: bool = True,
    **fields: Any,
) -> OpportunityPage:
    """A published opportunity; each shift dict overrides tomorrow 10:00–12:00 with 2 slots."""
    number = next(_opportunity_numbers)
    page = OpportunityPage(
        title=fields.pop("title", f"募集{number}"),
        slug=f"opportunity-{number}",
        live=publish,
        **fields,
    )
    page.shifts = [
        Shift(
            **{
                "date": tomorrow(),
                "starts_at": dt.time(10),
                "ends_at": dt.time(12),
                "slots": 2,
                **shift,
            }
        )
        for shift in shifts
    ]
    page.skills_wanted = list(skills)
    (parent or volunteer_index()).add_child(instance=page)
    if publish:
        page.save_revision().publish()
    return page
