"""A second town built in the Wagtail admin (issue 17): one home page per site, one directory,
calendar and volunteer index per home — not one per install — and the pages that link to "the"
index find their own town's."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.models import Page, Site

from events.models import EventIndexPage
from resources.models import DirectoryIndexPage
from tests.volunteers.factories import VolunteerFactory
from tsunagu.models import HomePage
from volunteers.links import Purpose, link_token
from volunteers.models import VolunteerIndexPage

from .island import CHINA_HOST, first_town, two_towns

pytestmark = pytest.mark.django_db

INDEXES = (DirectoryIndexPage, EventIndexPage, VolunteerIndexPage)


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("it_contact", "it@example.jp", "x")
    client.force_login(user)
    return client


def add_url(model: type[Page], parent: Page) -> str:
    meta = model._meta
    return reverse("wagtailadmin_pages:add", args=[meta.app_label, meta.model_name, parent.pk])


def offered(client, parent: Page) -> str:
    """The admin's "add a page here" chooser for ``parent`` (the page types it offers); with
    only one type to offer, Wagtail goes straight to its form."""
    response = client.get(reverse("wagtailadmin_pages:add_subpage", args=[parent.pk]))
    if response.status_code == 302:
        return response.url
    assert response.status_code == 200
    return response.content.decode()


def refused(response) -> bool:
    """Wagtail's admin answers a refused page type by sending the user back to the dashboard."""
    return response.status_code == 302 and response.url == reverse("wagtailadmin_home")


def create(client, model: type[Page], parent: Page, title: str, slug: str) -> Page:
    """Save a new draft through the admin's create view, as the IT contact would."""
    response = client.post(add_url(model, parent), {"title": title, "slug": slug})
    assert response.status_code == 302, response.content.decode()[:2000]
    return model.objects.child_of(parent).get(slug=slug)


def test_a_superuser_builds_a_second_town_in_the_admin(admin_client):
    town = first_town()
    root = Page.get_first_root_node()
    assert add_url(HomePage, root) in offered(admin_client, root)
    home = create(admin_client, HomePage, root, "知名町", "china")

    # While the new home is no site's root, another home would be a stray: refused.
    assert add_url(HomePage, root) not in offered(admin_client, root)
    assert refused(admin_client.get(add_url(HomePage, root)))

    for model in INDEXES:
        assert add_url(model, home) in offered(admin_client, home)
    directory = create(admin_client, DirectoryIndexPage, home, "居場所・活動", "places")
    assert directory.get_parent().pk == home.pk

    # One directory per home: not a second under the new home, nor under the first town's.
    for parent in (home, town.home):
        assert add_url(DirectoryIndexPage, parent) not in offered(admin_client, parent)
        assert refused(admin_client.get(add_url(DirectoryIndexPage, parent)))
    second = {"title": "二つ目", "slug": "x"}
    assert refused(admin_client.post(add_url(DirectoryIndexPage, home), second))
    assert DirectoryIndexPage.objects.child_of(home).count() == 1
    # The other indexes are still offered under the new home (one each), not under the first.
    assert add_url(EventIndexPage, home) in offered(admin_client, home)
    assert add_url(EventIndexPage, town.home) not in offered(admin_client, town.home)

    # Once the new home is a site's root (Settings → Sites), a third town may start.
    Site.objects.create(hostname=CHINA_HOST, port=80, root_page=home, site_name="知名町")
    assert admin_client.get(add_url(HomePage, root)).status_code == 200


def test_a_home_page_goes_only_directly_under_the_root():
    town = first_town()
    plain = Page.get_first_root_node().add_child(instance=Page(title="別の木", slug="other"))
    assert HomePage.can_create_at(Page.get_first_root_node())
    assert not HomePage.can_create_at(plain)
    assert not HomePage.can_create_at(town.home)


def test_two_towns_have_one_of_each_index_per_home():
    towns = two_towns()
    for model in INDEXES:
        for town in towns:
            assert model.objects.descendant_of(town.home).count() == 1
            assert not model.can_create_at(town.home)


def test_a_volunteer_s_page_links_to_the_volunteers_wanted_of_the_site_s_own_town(client):
    wadomari, china = two_towns()
    volunteer = VolunteerFactory()
    token = link_token(purpose=Purpose.MANAGE, volunteer=volunteer)
    client.post(reverse("volunteers:link_manage", args=[token]))
    for town, other in ((wadomari, china), (china, wadomari)):
        host = town.site.hostname
        response = client.get(reverse("volunteers:me"), headers={"host": host})
        assert response.status_code == 200
        page = response.context["index_page"]
        assert page.pk == town.volunteers.pk and page.pk != other.volunteers.pk
