"""Staff invite editors by email; the link sets a password once and then never again."""

import datetime as dt
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.http import HttpRequest
from django.urls import reverse

from community import emails, services
from community.models import Invitation, OrganizationSectionPage
from outbox import services as outbox
from outbox.models import Message
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
    # axes needs the request authenticate() is given (its documented way for the test client).
    assert client.login(request=HttpRequest(), username="himawari@example.jp", password=password)
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
    count = len(few.captured_queries)  # read now: the next request empties the query log
    for number in range(10):
        other = OrganizationFactory(name=f"団体{number}")
        make_editor(f"editor-x{number}", other)
    staff_client.get(url)  # new operators replaced the content generation: warm again
    with django_assert_max_num_queries(count):
        html = staff_client.get(url).content.decode()
    assert "editor-x9@example.jp" in html


def test_invite_view_query_count(staff_client, organization, django_assert_max_num_queries):
    url = reverse("community_invite", args=[organization.pk])
    staff_client.get(url)
    # 12, plus django-otp's lookup of the session's verified device (staff use 2FA).
    with django_assert_max_num_queries(13):
        assert staff_client.get(url).status_code == 200


def test_the_organisation_list_offers_staff_the_invite_action(staff_client, organization):
    url = reverse(organization.snippet_viewset.get_url_name("list"))
    html = staff_client.get(url).content.decode()
    assert reverse("community_invite", args=[organization.pk]) in html


# --- the invitation is an outbox message, composed when it is sent ---------------------------


def _invite_quietly(organization, email: str, by=None):
    """Invite without running the after-commit "send this": the row waits in the outbox."""
    return services.editor_invite(organization=organization, email=email, by=by)


def _row(user) -> Message:
    invitation = Invitation.objects.filter(user=user).latest("pk")
    return Message.objects.get(kind=emails.INVITATION, object_id=str(invitation.pk))


def test_the_outbox_row_holds_the_invitation_id_and_no_link_or_address(organization):
    staff = make_staff()
    invited = _invite_quietly(organization, "himawari@example.jp", by=staff)
    row = _row(invited.user)
    invitation = Invitation.objects.get(pk=row.object_id)
    assert (invitation.organization, invitation.user, invitation.invited_by) == (
        organization, invited.user, staff,
    )  # fmt: skip
    assert row.key == f"community.invitation:{invitation.pk}"
    assert row.payload is None
    stored = repr(Message.objects.filter(pk=row.pk).values().get())
    assert "himawari" not in stored and "/community/invite/" not in stored
    assert outbox.deliver_one(row.pk) == "sent"
    assert "/community/invite/" in mail.outbox[-1].body


def test_one_email_per_invitation_however_often_it_is_rung(organization):
    invited = _invite_quietly(organization, "himawari@example.jp")
    pk = _row(invited.user).pk
    assert outbox.deliver([pk, pk]) == {"sent": 1, "skipped": 1}
    assert not outbox.sweep()
    assert len([m for m in mail.outbox if "himawari@example.jp" in m.to]) == 1


def test_the_link_is_made_when_the_email_is_sent(client, organization):
    """A password set between the invitation and the send means no link, not a stale one."""
    invited = _invite_quietly(organization, "himawari@example.jp")
    user = User.objects.get(pk=invited.user.pk)
    user.set_password("yuri-no-hana-2030")
    user.save()
    assert outbox.deliver_one(_row(user).pk) == "sent"
    body = mail.outbox[-1].body
    assert "/community/invite/" not in body and "/admin/" in body


def test_an_invitation_no_longer_needed_is_dropped_with_a_reason(organization):
    first = _invite_quietly(organization, "himawari@example.jp")
    first.user.groups.remove(services.editors_group(organization))
    second = _invite_quietly(OrganizationFactory(name="うみの会"), "umi@example.jp")
    User.objects.filter(pk=second.user.pk).update(is_active=False)
    outcomes = [outbox.deliver_one(_row(i.user).pk) for i in (first, second)]
    assert outcomes == ["cancelled", "cancelled"]
    assert "編集者ではありません" in _row(first.user).reason
    assert "無効" in _row(second.user).reason
    assert not mail.outbox


def test_staff_see_the_outbox_and_the_call_list(staff_client):
    assert staff_client.get(reverse("outbox:calls")).status_code == 200
    staff = make_staff("another-staff")
    for perm in ("outbox.view_message", "outbox.change_message", "outbox.call_message"):
        assert staff.has_perm(perm), perm
