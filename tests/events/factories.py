"""Event pages made the way an editor makes them: added under the calendar and published."""

import datetime as dt
from collections.abc import Iterable
from typing import Any

import factory
from factory.django import DjangoModelFactory
from wagtail.models import Page

from events.models import EventExdate, EventIndexPage, EventPage, EventSignup
from resources.models import Term
from tests.resources.factories import directory_page

TOKYO = dt.timezone(dt.timedelta(hours=9), "JST")


def at(day: str, hhmm: str = "10:00") -> dt.datetime:
    """A Tokyo time from "2026-12-05" and "10:00"."""
    return dt.datetime.fromisoformat(f"{day}T{hhmm}:00+09:00")


def calendar_page() -> EventIndexPage:
    """The site's calendar, beside the directory under the home page (created on first use)."""
    calendar = EventIndexPage.objects.first()
    if calendar is not None:
        return calendar
    home = directory_page().get_parent()
    calendar = home.add_child(
        instance=EventIndexPage(title="催し・イベント", slug="events", show_in_menus=True)
    )
    calendar.save_revision().publish()
    return calendar


class EventPageFactory(DjangoModelFactory):
    """Takes ``exdates`` (dates), ``tags`` (terms) and ``parent`` too; publishes the page."""

    class Meta:
        model = EventPage

    title = factory.Sequence(lambda n: f"催し{n}")
    slug = factory.Sequence(lambda n: f"event-{n}")
    start = factory.LazyFunction(lambda: at("2026-12-10"))
    end = factory.LazyAttribute(lambda o: o.start + dt.timedelta(hours=2))

    @classmethod
    def _create(
        cls,
        model_class: type[EventPage],
        *args: Any,
        parent: Page | None = None,
        exdates: Iterable[dt.date] = (),
        tags: Iterable[Term] = (),
        **kwargs: Any,
    ) -> EventPage:
        page = model_class(*args, **kwargs)
        page.exdates = [EventExdate(date=day) for day in exdates]
        page.tags.add(*tags)
        (parent or calendar_page()).add_child(instance=page)
        page.save_revision().publish()
        page.refresh_from_db()
        return page


class EventSignupFactory(DjangoModelFactory):
    class Meta:
        model = EventSignup

    event = factory.SubFactory(EventPageFactory, how_to_apply=EventPage.Application.FORM)
    name = factory.Sequence(lambda n: f"参加者{n}")
    phone = "0997-84-0000"
