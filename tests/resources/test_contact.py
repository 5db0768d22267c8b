"""Contact everywhere: a listing without its own telephone or email shows its operator's, and the
town office's as the last resort, as big tel: and mailto: buttons on every detail page and in
the printed list — read with the page, not once more per listing."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resources.contact import Channel, listing_contact, reachable_contact
from resources.contact_keys import email_key, phone_key
from tests.events.factories import EventPageFactory, at
from tests.volunteers.factories import make_opportunity
from tsunagu.models import TownSettings

from .factories import ActivityPageFactory, OrganizationFactory, PlacePageFactory

pytestmark = pytest.mark.django_db
NOW = at("2026-12-01", "09:00")


@pytest.fixture(autouse=True)
def _pinned():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def jichikai():
    return OrganizationFactory(
        name="喜美留字自治会", phone="0997-84-1234", email="kibiru@example.jp"
    )


def _html(client, page) -> str:
    response = client.get(page.url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("０９９７－８４－１２３４", "0997841234"),
        ("(0997) 84-1234", "0997841234"),
        ("0997ー84ー1234", "0997841234"),
        ("+81 997-84-1234", "0997841234"),
        ("+81 (0)90 1234 5678", "09012345678"),
        ("", ""),
    ],
)
def test_a_telephone_number_has_one_key_however_it_is_typed(typed, key):
    assert phone_key(typed) == key


@pytest.mark.parametrize("typed", [" Hanako@Example.JP ", "ＨＡＮＡＫＯ＠ｅｘａｍｐｌｅ.jp"])
def test_an_email_address_has_one_key_however_it_is_typed(typed):
    assert email_key(typed) == "hanako@example.jp"


def test_the_listing_s_own_contact_comes_first_then_the_operator_s_per_channel(directory, jichikai):
    own_phone = PlacePageFactory(phone="0997-84-9999", organization=jichikai)
    contact = reachable_contact(own_phone)
    assert contact.phone == Channel("0997-84-9999")  # the listing's own, no owner named
    assert contact.email == Channel("kibiru@example.jp", "喜美留字自治会")
    assert contact.phone.tel_href == "tel:0997849999"
    assert contact.email.mailto_href == "mailto:kibiru@example.jp"


def test_nobody_to_reach_falls_back_to_the_town_office(directory):
    town = TownSettings.objects.get()
    silent = PlacePageFactory(organization=OrganizationFactory(name="連絡先のない会"))
    assert reachable_contact(silent) is None
    contact = listing_contact(silent, town)
    assert contact.phone == Channel("0997-84-0000", "和泊町 保健福祉課", from_town=True)
    assert contact.email is None  # the town has entered no address
    assert listing_contact(silent, None) is None


def test_an_operator_with_only_email_still_gets_a_number_to_call(directory):
    """Someone who cannot email must be able to call: the town office puts them through."""
    town = TownSettings.objects.get()
    town.email = "fukushi@town.example.jp"
    salon = PlacePageFactory(organization=OrganizationFactory(name="会", email="kai@example.jp"))
    contact = listing_contact(salon, town)
    assert contact.phone == Channel("0997-84-0000", "和泊町 保健福祉課", from_town=True)
    assert contact.email == Channel("kai@example.jp", "会")  # not the town's: the operator's


def _detail_pages(jichikai):
    salon = PlacePageFactory(title="いきいきサロン喜美留", organization=jichikai)
    return [
        salon,
        ActivityPageFactory(title="体操の会", place=salon, organization=jichikai),
        EventPageFactory(title="敬老会", start=at("2026-12-10"), organization=jichikai),
        make_opportunity(title="敬老会の手伝い", organization=jichikai),
    ]


def test_every_kind_of_detail_page_shows_the_operator_s_call_and_mail_buttons(
    client, directory, jichikai
):
    for page in _detail_pages(jichikai):
        html = _html(client, page)
        call = html.split('class="contact-button contact-button--call"')[1].split("</a>")[0]
        assert 'href="tel:0997841234"' in call, page.title
        assert "電話する" in call and "0997-84-1234" in call
        assert 'href="mailto:kibiru@example.jp"' in html and "メールを送る" in html
        assert "連絡先：喜美留字自治会" in html
        assert 'href="/static/site/css/contact.css"' in html


def test_a_listing_nobody_can_be_reached_about_shows_the_town_office(client, directory):
    salon = PlacePageFactory(title="いきいきサロン喜美留", contact_note="喜美留字自治会")
    html = _html(client, salon)
    assert 'href="tel:0997840000"' in html and "連絡先：和泊町 保健福祉課" in html
    assert "町の窓口にお問い合わせください。担当におつなぎします。" in html
    assert "連絡方法: 喜美留字自治会" in html


def test_a_changed_operator_number_shows_at_once_on_a_cached_page(client, directory, jichikai):
    salon = PlacePageFactory(organization=jichikai)
    assert "tel:0997841234" in _html(client, salon)  # now cached for anonymous visitors
    jichikai.phone = "0997-84-5678"
    jichikai.save()  # an operator's edit makes every cached page stale
    html = _html(client, salon)
    assert "tel:0997845678" in html and "tel:0997841234" not in html


def test_the_printed_list_shows_each_listing_s_contact(client, directory, jichikai):
    PlacePageFactory(title="いきいきサロン喜美留", organization=jichikai)
    PlacePageFactory(title="自前の電話がある場", phone="0997-84-7777")
    html = client.get(f"{directory.url}print/").content.decode()
    assert "電話: 0997-84-1234（喜美留字自治会）" in html
    assert "メール: kibiru@example.jp（喜美留字自治会）" in html
    assert "電話: 0997-84-7777<" in html


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_contacts_cost_no_query_per_listing_in_the_printed_list(client, directory):
    def listings(count: int) -> None:
        for number in range(count):
            operator = OrganizationFactory(phone=f"0997-84-{number:04d}")
            PlacePageFactory(title=f"居場所{number:02}", organization=operator)

    listings(3)
    url = f"{directory.url}print/"
    client.get(url)  # the process's caches
    few = _queries(client, f"{url}?n=3")
    listings(12)
    client.get(url)
    assert _queries(client, f"{url}?n=15") == few


def test_the_operator_s_contact_costs_a_detail_page_no_extra_query(client, directory, jichikai):
    own = PlacePageFactory(phone="0997-84-9999", organization=OrganizationFactory())
    borrowed = PlacePageFactory(organization=jichikai)
    client.get(own.url)  # the process's caches, and each URL's route (tsunagu/routing.py)
    client.get(borrowed.url)
    assert _queries(client, f"{own.url}?a") == _queries(client, f"{borrowed.url}?a")


def test_an_event_shows_what_to_bring(client, directory):
    event = EventPageFactory(start=at("2026-12-10"), what_to_bring="上履き", phone="0997-84-3333")
    html = _html(client, event)
    assert "<dt>持ち物</dt><dd>上履き</dd>" in html
    assert 'href="tel:0997843333"' in html
