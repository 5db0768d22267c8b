"""Admin: the first-run page that sets a town up (superusers, before any site exists)."""

from django.urls import path
from wagtail import hooks

from .setup_views import SetupTownPanel, SetupTownView
from .town import needs_setup


@hooks.register("register_admin_urls")
def register_setup_town_url() -> list:
    return [path("setup-town/", SetupTownView.as_view(), name="tsunagu_setup_town")]


@hooks.register("construct_homepage_panels")
def offer_setup_town(request, panels: list) -> None:
    """The first superuser to log in is offered the town's setup, before anything else."""
    if request.user.is_superuser and needs_setup():
        panels.insert(0, SetupTownPanel())
