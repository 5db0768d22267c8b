"""Nobody anonymous, and no community-group editor, sees a volunteer's contact or private fields.

The public profile shows the display name and only the items the volunteer ticked. Every other
surface — public pages, the admin, search, history — is checked for the same planted values.
"""

import itertools

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page
from wagtail.search.backends import get_search_backend
from wagtail.search.index import class_is_indexed

from tests.resources.factories import AreaFactory, TermFactory
from volunteers import services
from volunteers.models import HoursEntry, SignUp, Volunteer

from .factories import VolunteerFactory, make_opportunity, volunteer_index

pytestmark = pytest.mark.django_db

# Values planted in one volunteer; none may leak where it is not meant to be shown.
PRIVATE = {
    "name": "秘密野 本名子",
    "kana": "ひみつの ほんみょうこ",
    "email": "hidden.person@example.jp",
    "phone": "0997-99-1357",
    "languages": "ポルトガル語",
    "notes": "持病の申告メモ",
}
SHOWN_IF_CHOSEN = {"skill": "秘伝の三線", "district": "隠れ里地区", "message": "ひとことメッセージ"}


@pytest.fixture
def person():
    return VolunteerFactory(
        **PRIVATE,
        area=AreaFactory(name=SHOWN_IF_CHOSEN["district"]),
        skills=[TermFactory(name=SHOWN_IF_CHOSEN["skill"])],
        age_band=Volunteer.AgeBand.SEVENTIES,
        willing_to_accompany=True,
        public_profile=True,
        display_name="ゆりちゃん",
        public_message=SHOWN_IF_CHOSEN["message"],
    )


def _assert_no_private(html: str, *, typed: str = "") -> None:
    """None of the planted values, except the one ``typed`` into a search box (echoed back)."""
    for field, value in PRIVATE.items():
        assert field == typed or value not in html, f"{field} leaked"


@pytest.mark.parametrize(
    ("show_skills", "show_district", "show_message"),
    list(itertools.product([False, True], repeat=3)),
)
def test_the_public_listing_shows_exactly_what_was_chosen(
    client, person, show_skills, show_district, show_message
):
    Volunteer.objects.filter(pk=person.pk).update(
        show_skills=show_skills, show_district=show_district, show_message=show_message
    )

    html = client.get(reverse("volunteers:profiles")).content.decode()

    assert "ゆりちゃん" in html
    assert (SHOWN_IF_CHOSEN["skill"] in html) is show_skills
    assert (SHOWN_IF_CHOSEN["district"] in html) is show_district
    assert (SHOWN_IF_CHOSEN["message"] in html) is show_message
    assert "70代" not in html
    _assert_no_private(html)


@pytest.mark.parametrize(
    "change",
    [
        {"public_profile": False},
        {"status": Volunteer.Status.PAUSED},
        {"status": Volunteer.Status.PENDING},
    ],
)
def test_nobody_is_listed_without_opting_in_and_being_active(client, person, change):
    Volunteer.objects.filter(pk=person.pk).update(**change)

    html = client.get(reverse("volunteers:profiles")).content.decode()

    assert "ゆりちゃん" not in html


def test_public_pages_show_counts_never_who_signed_up(client, person):
    page = make_opportunity(title="浜掃除", shifts=[{"slots": 3}])
    SignUp.objects.create(volunteer=person, shift=page.shifts.get(), status=SignUp.Status.CONFIRMED)

    for url in (
        page.url,
        volunteer_index().url,
        reverse("volunteers:profiles"),
        reverse("volunteers:register"),
        reverse("volunteers:link_request"),
        reverse("volunteers:shift_signup", args=[page.shifts.get().pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_private(response.content.decode())
    assert "残り 2 名" in client.get(page.url).content.decode()


def test_volunteers_are_not_in_any_search_index(person):
    assert not class_is_indexed(Volunteer)
    assert not class_is_indexed(SignUp)
    backend = get_search_backend()
    for value in PRIVATE.values():
        assert list(backend.search(value, Page)) == []


@pytest.fixture
def group_editor(django_user_model):
    """A community group's editor: admin access and page rights, no volunteer permissions."""
    group = Group.objects.create(name="喜美留字自治会 編集者")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for permission in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=volunteer_index(),
            permission=Permission.objects.get(codename=permission),
        )
    user = django_user_model.objects.create_user("henshu", "henshu@example.jp", "pw")
    user.groups.add(group)
    return user


@pytest.fixture
def admin_urls(person):
    shift = make_opportunity().shifts.get()
    signup = SignUp.objects.create(volunteer=person, shift=shift, status=SignUp.Status.CONFIRMED)
    entry = HoursEntry.objects.create(
        volunteer=person, date=shift.date, hours=1, source=HoursEntry.Source.SELF
    )
    return [
        reverse("volunteer_register:index"),
        reverse("volunteer_register:index") + "?q=" + PRIVATE["name"],
        reverse("volunteer_register:inspect", args=[person.pk]),
        reverse("volunteer_register:edit", args=[person.pk]),
        reverse("volunteer_register:history", args=[person.pk]),
        reverse("volunteer_register:approve", args=[person.pk]),
        reverse("volunteer_register:withdraw", args=[person.pk]),
        reverse("volunteer_signups:index"),
        reverse("volunteer_signups:inspect", args=[signup.pk]),
        reverse("volunteer_signups:cancel", args=[signup.pk]),
        reverse("volunteer_hours:index"),
        reverse("volunteer_hours:edit", args=[entry.pk]),
        reverse("volunteer_hours_review:index"),
        reverse("volunteer_hours_review:totals"),
    ]


def test_a_group_editor_is_turned_away_from_every_volunteer_admin_url(
    client, group_editor, admin_urls
):
    client.force_login(group_editor)

    for url in admin_urls:
        response = client.get(url)
        assert response.status_code in {302, 403, 404}, url
        _assert_no_private(response.content.decode())
        post = client.post(url)
        assert post.status_code in {302, 403, 404, 405}, url
    person = Volunteer.objects.get(email=PRIVATE["email"])
    assert person.status == Volunteer.Status.ACTIVE  # neither approved nor erased by the posts


def test_a_group_editor_sees_no_volunteer_menu_search_result_or_history(
    client, group_editor, person, django_user_model
):
    staff = django_user_model.objects.create_superuser("boss", "boss@example.jp", "pw")
    person.status = Volunteer.Status.PENDING
    person.save()
    services.volunteer_approve(volunteer=person, by=staff)
    client.force_login(group_editor)

    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert reverse("volunteer_register:index") not in dashboard
    for url in (
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_reports:site_history"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_no_private(response.content.decode())
    search = client.get(reverse("wagtailadmin_pages:search"), {"q": PRIVATE["kana"]})
    assert search.status_code == 200
    _assert_no_private(search.content.decode(), typed="kana")


def test_a_group_editor_editing_an_opportunity_sees_no_names(client, group_editor, person):
    page = make_opportunity()
    SignUp.objects.create(volunteer=person, shift=page.shifts.get(), status=SignUp.Status.CONFIRMED)
    client.force_login(group_editor)

    response = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))

    assert response.status_code == 200
    _assert_no_private(response.content.decode())


def test_anonymous_users_are_sent_to_the_login_from_admin_urls(client, admin_urls):
    for url in admin_urls:
        response = client.get(url)
        assert response.status_code == 302 and "/admin/login/" in response["Location"], url


def test_my_page_needs_a_link_not_a_guess(client, person):
    assert client.get(reverse("volunteers:me")).status_code == 302
    assert client.get(reverse("volunteers:me_edit")).status_code == 302
