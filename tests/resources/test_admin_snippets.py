"""Staff manage districts, operators and the vocabulary as snippets under one "地域資源" menu."""

import json

import pytest
from django.urls import reverse

from resources.models import Area, Organization, Term

from .factories import AreaFactory, OrganizationFactory, TermFactory

pytestmark = pytest.mark.django_db


def _list_url(model) -> str:
    return reverse(model.snippet_viewset.get_url_name("list"))


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("staff", "s@example.jp", "x"))
    return client


@pytest.mark.parametrize("model", [Area, Organization, Term])
def test_list_renders_for_a_superuser(staff_client, model):
    assert staff_client.get(_list_url(model)).status_code == 200


def test_menu_groups_the_snippets_under_community_resources(staff_client):
    html = staff_client.get(reverse("wagtailadmin_home")).content.decode()
    props = html.split('id="wagtail-sidebar-props"', 1)[1].split(">", 1)[1].split("</script>")[0]
    menu = json.dumps(json.loads(props), ensure_ascii=False)
    group = menu[menu.index('"地域資源"') :]
    for model in (Area, Organization, Term):
        assert f'"{_list_url(model)}"' in group


def test_terms_filter_by_kind(staff_client):
    TermFactory(name="三線", kind=Term.Kind.INTEREST)
    TermFactory(name="見守り", kind=Term.Kind.NEED)
    html = staff_client.get(_list_url(Term), {"kind": "need"}).content.decode()
    assert "見守り" in html
    assert "三線" not in html


def test_organizations_filter_by_kind_and_say_which_are_samples(staff_client):
    OrganizationFactory(name="福祉の会（サンプル）", kind=Organization.Kind.SOCIAL_WELFARE_COUNCIL,
                        is_sample=True)  # fmt: skip
    OrganizationFactory(name="えらぶの森", kind=Organization.Kind.NPO)
    html = staff_client.get(_list_url(Organization), {"kind": "swc"}).content.decode()
    assert "福祉の会（サンプル）" in html and "えらぶの森" not in html
    assert "<td>サンプル</td>" in html.replace("\n", "").replace(" ", "")


def test_organizations_filter_by_sample_flag(staff_client):
    OrganizationFactory(name="福祉の会（サンプル）", is_sample=True)
    OrganizationFactory(name="えらぶの森")
    html = staff_client.get(_list_url(Organization), {"is_sample": "false"}).content.decode()
    assert "えらぶの森" in html and "福祉の会" not in html


def test_search_finds_part_of_a_japanese_name(staff_client):
    TermFactory(name="子ども食堂")
    AreaFactory(name="喜美留", kana="きびる")
    assert "子ども食堂" in staff_client.get(_list_url(Term), {"q": "食堂"}).content.decode()
    assert "喜美留" in staff_client.get(_list_url(Area), {"q": "きび"}).content.decode()


@pytest.mark.parametrize("model", [Area, Organization, Term])
def test_a_user_without_admin_access_is_sent_to_log_in(client, django_user_model, model):
    client.force_login(django_user_model.objects.create_user("resident", password="x" * 12))
    response = client.get(_list_url(model))
    assert response.status_code == 302
    assert response.url.startswith(reverse("wagtailadmin_login"))
