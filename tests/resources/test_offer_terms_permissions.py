"""Who may change what a listing's flags mean to the matcher (resources.OfferTerm).

The mapping decides which clients each listing is proposed for, town-wide, so a community
group's editor (who has admin access for their own pages) must not see or change it; the town's
staff group can (the issue: "mapping editable by the town"). Every case requests the real
admin URL.
"""

import pytest
from django.urls import reverse

from resources.models import OfferTerm, Term
from tests.community.factories import make_editor, make_group, make_staff

from .factories import TermFactory

pytestmark = pytest.mark.django_db

DENIED = {302, 403, 404}


def _url(action: str, *args: object) -> str:
    return reverse(OfferTerm.snippet_viewset.get_url_name(action), args=args)


@pytest.fixture
def row() -> OfferTerm:
    TermFactory(name="車いす", kind=Term.Kind.ACCOMMODATION)
    return OfferTerm.objects.create(flag=OfferTerm.Flag.PARKING, term="車いす")


@pytest.fixture
def editor():
    organization, _sections = make_group("ひまわりの会")
    return make_editor("editor-a", organization)


def test_a_group_editor_has_admin_access_but_not_to_the_mapping(client, editor, row):
    client.force_login(editor)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200  # so the 403s below mean it
    for url in (_url("list"), _url("add"), _url("edit", row.pk), _url("delete", row.pk)):
        response = client.get(url)
        assert response.status_code in DENIED, url
        assert "車いす" not in response.content.decode()


def test_a_group_editor_cannot_change_the_mapping_by_posting(client, editor, row):
    client.force_login(editor)
    edited = client.post(_url("edit", row.pk), {"flag": "pickup", "term": "車いす"})
    deleted = client.post(_url("delete", row.pk))
    added = client.post(_url("add"), {"flag": "pickup", "term": "車いす"})
    assert {edited.status_code, deleted.status_code, added.status_code} <= DENIED
    row.refresh_from_db()
    assert row.flag == OfferTerm.Flag.PARKING
    assert not OfferTerm.objects.filter(flag="pickup", term="車いす").exists()


def test_town_staff_list_add_edit_and_delete_the_mapping(client, row):
    client.force_login(make_staff())
    for url in (_url("list"), _url("add"), _url("edit", row.pk), _url("delete", row.pk)):
        assert client.get(url).status_code == 200, url
    assert "車いす" in client.get(_url("list")).content.decode()

    client.post(_url("edit", row.pk), {"flag": "pickup", "term": "車いす"})
    row.refresh_from_db()
    assert row.flag == OfferTerm.Flag.PICKUP

    client.post(_url("add"), {"flag": "hearing_support", "term": "車いす"})
    added = OfferTerm.objects.get(flag="hearing_support", term="車いす")

    client.post(_url("delete", added.pk))
    assert not OfferTerm.objects.filter(pk=added.pk).exists()
