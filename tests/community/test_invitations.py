"""Staff invite editors by email; the link sets a password once and then never again."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from community import services
from community.models import OrganizationSectionPage
from tests.resources.factories import OrganizationFactory

from .factories import PASSWORD, make_editor, make_staff, site_indexes

pytestmark = pytest.mark.django_db

User = get_user_model()
LINK = re.compile(r"https?://\S+?(/community/invite/\S+/\S+/)")


@pytest.fixture
def organization(db):
    site_indexes()
    return OrganizationFactory(name="ひまわりの会")


@pytest.fixture
def staff_client(client, organization):
    client.force_login(make_staff())
    return client


def _invite(staff_client, organization, email: str):
    return staff_client.post(reverse("community_invite", args=[organization.pk]), {"email": email})


def _link(email: str) -> str:
    (message,) = [m for m in mail.outbox if email in m.to][-1:]
    return LINK.search(message.body).group(1)


def test_staff_invite_a_new_editor_who_gets_a_one_time_link(
    staff_client, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _invite(staff_client, organization, "ｈｉｍａｗａｒｉ@Example.JP")
    assert response.status_code == 302
    user = User.objects.get(email="himawari@example.jp")
    assert not user.has_usable_password()
    assert user.groups.filter(pk=services.editors_group(organization).pk).exists()
    assert OrganizationSectionPage.objects.filter(organization=organization).count() == 3
    message = mail.outbox[-1]
    assert message.to == ["himawari@example.jp"] and "ひまわりの会" in message.subject
    assert "一度だけ" in message.body


def test_the_link_sets_a_password_once(
    client, staff_client, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(staff_client, organization, "himawari@example.jp")
    staff_client.logout()
    link = _link("himawari@example.jp")
    response = client.get(link)
    assert response.status_code == 302  # Django moves the token into the session
    form_url = response["Location"]
    password = "yuri-no-hana-2030"
    response = client.post(form_url, {"new_password1": password, "new_password2": password})
    assert response.status_code == 302 and response["Location"] == reverse(
        "community:set_password_done"
    )
    assert client.login(username="himawari@example.jp", password=password)
    client.logout()
    html = client.get(link, follow=True).content.decode()
    assert "このリンクは既に使われたか、期限が切れています。" in html
    assert 'name="new_password1"' not in html


def test_an_expired_link_says_so_in_japanese(
    client, staff_client, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(staff_client, organization, "himawari@example.jp")
    link = _link("himawari@example.jp")
    staff_client.logout()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=4)):
        html = client.get(link, follow=True).content.decode()
    assert "このリンクは既に使われたか、期限が切れています。" in html
    assert not User.objects.get(email="himawari@example.jp").has_usable_password()


def test_a_bad_email_gets_a_japanese_error_and_writes_nothing(staff_client, organization):
    before = User.objects.count()
    response = _invite(staff_client, organization, "not-an-email")
    assert response.status_code == 200
    assert "有効なメールアドレスを入力してください。" in response.content.decode()
    assert User.objects.count() == before
    assert not OrganizationSectionPage.objects.filter(organization=organization).exists()
    assert not mail.outbox


def test_an_existing_user_is_added_without_a_new_account(
    staff_client, organization, django_capture_on_commit_callbacks
):
    other = OrganizationFactory(name="うみの会")
    person = make_editor("umi", other)
    before = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(staff_client, organization, person.email.upper())
    assert User.objects.count() == before
    assert person.groups.filter(pk=services.editors_group(organization).pk).exists()
    assert person.check_password(PASSWORD)
    assert "/community/invite/" not in mail.outbox[-1].body


def test_a_re_invitation_sends_a_fresh_link(
    staff_client, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(staff_client, organization, "himawari@example.jp")
        _invite(staff_client, organization, "himawari@example.jp")
    assert User.objects.filter(email="himawari@example.jp").count() == 1
    assert len([m for m in mail.outbox if "himawari@example.jp" in m.to]) == 2


def test_only_staff_may_invite(client, organization):
    editor = make_editor("editor", organization)
    client.force_login(editor)
    response = client.post(
        reverse("community_invite", args=[organization.pk]), {"email": "x@example.jp"}
    )
    assert response.status_code in {302, 403}
    assert not User.objects.filter(email="x@example.jp").exists()


def test_editors_index_query_count_does_not_grow_with_organisations(
    staff_client, organization, django_assert_max_num_queries
):
    services.ensure_sections(organization)
    make_editor("editor-1", organization)
    url = reverse("community_editors")
    staff_client.get(url)  # warm caches (menu, permissions)
    with django_assert_max_num_queries(14) as few:
        html = staff_client.get(url).content.decode()
    assert "editor-1@example.jp" in html
    for number in range(10):
        other = OrganizationFactory(name=f"団体{number}")
        make_editor(f"editor-x{number}", other)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = staff_client.get(url).content.decode()
    assert "editor-x9@example.jp" in html


def test_invite_view_query_count(staff_client, organization, django_assert_max_num_queries):
    url = reverse("community_invite", args=[organization.pk])
    staff_client.get(url)
    with django_assert_max_num_queries(12):
        assert staff_client.get(url).status_code == 200


def test_the_organisation_list_offers_staff_the_invite_action(staff_client, organization):
    url = reverse(organization.snippet_viewset.get_url_name("list"))
    html = staff_client.get(url).content.decode()
    assert reverse("community_invite", args=[organization.pk]) in html
