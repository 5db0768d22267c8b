"""The section and opportunity pages: tree rules, the directory and search, safe editing."""

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from resources.models import ActivityPage, DirectoryIndexPage, ListingPage
from resources.selectors import listing_search_query, search_hits
from tests.resources.factories import ActivityPageFactory, OrganizationFactory, TermFactory
from tsunagu.models import HomePage
from volunteers.models import OpportunityPage, SignUp, VolunteerIndexPage

from .factories import VolunteerFactory, make_opportunity, volunteer_index


class PageTreeRules(WagtailPageTestCase):
    def test_the_section_sits_under_the_home_page_once(self):
        self.assertCanCreateAt(HomePage, VolunteerIndexPage)
        self.assertCanNotCreateAt(DirectoryIndexPage, VolunteerIndexPage)

    def test_opportunities_sit_in_the_section_only(self):
        self.assertCanCreateAt(VolunteerIndexPage, OpportunityPage)
        self.assertCanNotCreateAt(DirectoryIndexPage, OpportunityPage)
        self.assertAllowedSubpageTypes(OpportunityPage, {})

    def test_an_opportunity_is_routable(self):
        self.assertPageIsRoutable(make_opportunity())


pytestmark = pytest.mark.django_db


def test_an_opportunity_is_a_listing_the_directory_lists():
    page = make_opportunity(title="えらぶゆりの植え付け")

    assert ListingPage.objects.live().filter(pk=page.pk).exists()


@pytest.mark.parametrize("typed", ["花き栽培", "かきさいばい", "ユリ畑"])
def test_the_directory_search_finds_an_opportunity_by_skill_or_title(typed):
    page = make_opportunity(
        title="ユリ畑の日曜作業", skills=[TermFactory(name="花き栽培", kana="かきさいばい")]
    )
    make_opportunity(title="子ども食堂の配膳")

    found = search_hits(listing_search_query(typed), ListingPage.objects.live()).keys

    assert found == [page.pk]


def test_it_takes_place_and_operator_from_the_activity_it_serves():
    organization = OrganizationFactory(name="浜の会")
    activity = ActivityPageFactory(organization=organization, address="和泊町伊延1")

    page = make_opportunity(target=activity)

    assert page.organization == organization
    assert page.address == "和泊町伊延1"


def test_the_opportunity_page_shows_dates_places_left_and_a_sign_up_form(client):
    page = make_opportunity(title="浜掃除", shifts=[{"slots": 3}])

    html = client.get(page.url).content.decode()

    assert "浜掃除" in html and "残り 3 名" in html
    assert reverse("volunteers:shift_signup", args=[page.shifts.get().pk]) in html


def test_the_section_lists_open_opportunities_and_the_way_in(client):
    make_opportunity(title="子ども食堂の配膳")
    make_opportunity(title="下書きの募集", publish=False)

    html = client.get(volunteer_index().url).content.decode()

    assert "子ども食堂の配膳" in html and "下書きの募集" not in html
    assert reverse("volunteers:register") in html and reverse("volunteers:link_request") in html


@pytest.fixture
def editor_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@example.jp", "pw"))
    return client


def _edit_data(page, shifts):
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "shifts": inline_formset(shifts, initial=len(shifts)),
            "schedule_rules": inline_formset([]),
            "schedule_exceptions": inline_formset([]),
            "cost": "free",
            "for_everyone": True,
        }
    )


def _shift_form(shift, **changes):
    return {
        "id": shift.pk,
        "date": shift.date.isoformat(),
        "starts_at": "10:00",
        "ends_at": "12:00",
        "slots": shift.slots,
        "ORDER": 1,
        **changes,
    }


def test_a_shift_with_sign_ups_cannot_be_removed_in_the_editor(editor_client):
    page = make_opportunity(title="植え付け")
    shift = page.shifts.get()
    SignUp.objects.create(volunteer=VolunteerFactory(), shift=shift, status="confirmed")

    response = editor_client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        _edit_data(page, [_shift_form(shift, DELETE=True)]),
    )

    assert response.status_code == 200
    assert "申込のある日程は削除できません" in response.content.decode()
    assert page.shifts.filter(pk=shift.pk).exists()


def test_reserved_slugs_are_refused(editor_client):
    page = make_opportunity()

    response = editor_client.post(
        reverse("wagtailadmin_pages:edit", args=[page.pk]),
        {**_edit_data(page, [_shift_form(page.shifts.get())]), "slug": "register"},
    )

    assert "このスラッグは使えません" in response.content.decode()


def test_an_opportunity_with_sign_ups_is_unpublished_not_deleted(editor_client):
    page = make_opportunity()
    SignUp.objects.create(volunteer=VolunteerFactory(), shift=page.shifts.get(), status="confirmed")

    response = editor_client.post(reverse("wagtailadmin_pages:delete", args=[page.pk]))

    assert response.status_code == 302
    assert Page.objects.filter(pk=page.pk).exists()


def test_an_opportunity_cannot_serve_another_opportunity():
    other = make_opportunity()
    page = make_opportunity()
    page.target = other

    with pytest.raises(Exception, match="target"):
        page.full_clean()


def test_activity_listings_link_back_to_opportunities_that_serve_them():
    activity = ActivityPageFactory()
    page = make_opportunity(target=activity)

    serving = ActivityPage.objects.get(pk=activity.pk).volunteer_opportunities.all()
    assert [listing.pk for listing in serving] == [page.pk]
