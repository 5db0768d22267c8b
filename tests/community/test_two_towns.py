"""Community publishing per town (issue 17): on an install of 和泊町 and 知名町 each town's groups
publish into their own town's indexes, and only that town's staff see, approve or send back
their pages and invite their editors. The default site's town keeps the names 「町職員」 and
「町の承認」 a one-town install has always had."""

from __future__ import annotations

from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from wagtail.models import GroupPagePermission, Site, TaskState, WorkflowPage
from wagtail.test.utils.form_data import querydict_from_html

from community import services
from resources.models import Organization, PlacePage
from tests.resources.factories import AreaFactory, OrganizationFactory
from tests.tsunagu.island import two_towns

from .factories import PASSWORD, make_editor

pytestmark = pytest.mark.django_db


def _staff(username: str, site) -> object:
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@town.example.jp", password=PASSWORD
    )
    user.groups.add(services.staff_group(site))
    return user


def _town(town: SimpleNamespace, prefix: str, group: str, district: str) -> SimpleNamespace:
    """A town's community group (with its sections and an editor), its staff and a district."""
    organization = OrganizationFactory(name=group, phone="0997-84-1111", site=town.site)
    sections = {type(s).__name__: s for s in services.ensure_sections(organization)}
    town.organization = organization
    town.sections = sections
    town.editor = make_editor(f"{prefix}-editor", organization)
    town.staff = _staff(f"{prefix}-staff", town.site)
    town.area = AreaFactory(name=district, site=town.site)
    return town


@pytest.fixture
def towns() -> tuple[SimpleNamespace, SimpleNamespace]:
    wadomari, china = two_towns()
    return (
        _town(wadomari, "wadomari", "喜美留自治会", "喜美留"),
        _town(china, "china", "瀬利覚字会", "瀬利覚"),
    )


def _submit_place(client, town: SimpleNamespace, title: str) -> PlacePage:
    """The town's group editor adds a place in their directory section and submits it."""
    client.force_login(town.editor)
    section = town.sections["DirectorySectionPage"]
    url = reverse("wagtailadmin_pages:add", args=["resources", "placepage", section.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    data.update(
        {"title": title, "area": town.area.pk, "address": "字瀬利覚100", "phone": "0997-93-0000",
         "for_everyone": "on", "action-submit": "action-submit", "when_repeat": "weekly",
         "when_date": "2030-01-01", "when_opens": "10:00", "when_closes": "11:30"}
    )  # fmt: skip
    data.setlist("when_days", ["1"])  # Tuesdays
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    client.logout()
    return PlacePage.objects.get(title=title)


def _refused(response) -> bool:
    """Wagtail's admin answers a refusal with 403 or by sending the user to the dashboard."""
    home = reverse("wagtailadmin_home")
    return response.status_code == 403 or (response.status_code == 302 and response.url == home)


def _task_state(page: PlacePage) -> TaskState:
    return page.current_workflow_task_state


def _review(client, user, page: PlacePage, decision: str = "approve", comment: str = ""):
    client.force_login(user)
    data = {"decision": decision, "comment": comment, "revision": page.latest_revision_id}
    return client.post(reverse("community_review", args=[page.pk]), data)


def test_each_town_has_its_own_staff_group_workflow_and_sections(towns):
    wadomari, china = towns
    assert services.staff_group(wadomari.site).name == "町職員"
    assert services.staff_group(china.site).name == "町職員（知名町）"
    assert services.ensure_moderation(wadomari.site).name == "町の承認"
    assert services.ensure_moderation(china.site).name == "町の承認（知名町）"
    assert services.ensure_moderation().name == "町の承認"  # no site: the default town's
    for town in towns:
        indexes = {town.directory.pk, town.calendar.pk, town.volunteers.pk}
        assert {index.pk for index in services.indexes(town.site)} == indexes
        assert {s.get_parent().pk for s in town.sections.values()} == indexes
        workflows = WorkflowPage.objects.filter(page__in=indexes)
        name = services.ensure_moderation(town.site).name
        assert {row.workflow.name for row in workflows} == {name}
        granted = GroupPagePermission.objects.filter(group=services.staff_group(town.site))
        assert {row.page_id for row in granted} == indexes  # not the other town's
    # The default town's workflow stays on its own indexes only.
    china_pages = [china.directory.pk, china.calendar.pk, china.volunteers.pk]
    assert not WorkflowPage.objects.filter(page__in=china_pages, workflow__name="町の承認").exists()
    # A town on a second hostname is the same town: the same group and workflow.
    alias = Site.objects.create(hostname="www.china.example", port=80, root_page=china.home)
    assert services.staff_group(alias) == services.staff_group(china.site)
    assert services.ensure_moderation(alias) == services.ensure_moderation(china.site)
    # Idempotent: a second run adds nothing.
    services.ensure_moderation(china.site)
    services.ensure_sections(china.organization)
    assert services.ensure_moderation(china.site).workflow_tasks.count() == 1


def test_a_china_group_s_page_goes_to_china_staff_only(
    client, towns, django_capture_on_commit_callbacks
):
    wadomari, china = towns
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        place = _submit_place(client, china, "瀬利覚ふれあいサロン")
    assert place.get_parent().pk == china.sections["DirectorySectionPage"].pk
    assert place.is_descendant_of(china.directory) and not place.live
    task_state = _task_state(place)
    assert task_state.workflow_state.workflow.name == "町の承認（知名町）"
    recipients = {address for message in mail.outbox for address in message.to}
    assert china.staff.email in recipients and wadomari.staff.email not in recipients

    # 和泊町's staff: not in their queue, the review screen and its preview refused, Wagtail's
    # own workflow action and edit form refused; the page stays a draft awaiting 知名町.
    client.force_login(wadomari.staff)
    assert "瀬利覚ふれあいサロン" not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert _refused(client.get(reverse("community_review", args=[place.pk])))
    assert _refused(client.get(reverse("community_review_preview", args=[place.pk])))
    assert _refused(_review(client, wadomari.staff, place))
    action = reverse(
        "wagtailadmin_pages:workflow_action", args=[place.pk, "approve", task_state.pk]
    )
    assert _refused(client.post(action, {"comment": ""}))
    edit = reverse("wagtailadmin_pages:edit", args=[place.pk])
    assert _refused(client.get(edit))
    place.refresh_from_db()
    task_state.refresh_from_db()
    assert not place.live and task_state.status == TaskState.STATUS_IN_PROGRESS

    # 知名町's staff see it in their queue and approve it on the review screen.
    client.force_login(china.staff)
    queue = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "瀬利覚ふれあいサロン" in queue and reverse("community_review", args=[place.pk]) in queue
    assert client.get(reverse("community_review", args=[place.pk])).status_code == 200
    assert _review(client, china.staff, place).status_code == 302
    place.refresh_from_db()
    assert place.live


def test_a_wadomari_group_s_page_is_not_china_staff_s_to_decide(client, towns):
    wadomari, china = towns
    place = _submit_place(client, wadomari, "喜美留の縁側")
    assert place.is_descendant_of(wadomari.directory)
    task_state = _task_state(place)
    assert task_state.workflow_state.workflow.name == "町の承認"

    client.force_login(china.staff)
    assert "喜美留の縁側" not in client.get(reverse("wagtailadmin_home")).content.decode()
    assert _refused(client.get(reverse("community_review", args=[place.pk])))
    assert _refused(_review(client, china.staff, place, "reject", "だめ"))
    action = reverse("wagtailadmin_pages:workflow_action", args=[place.pk, "reject", task_state.pk])
    assert _refused(client.post(action, {"comment": "だめ"}))
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS

    client.force_login(wadomari.staff)
    assert "喜美留の縁側" in client.get(reverse("wagtailadmin_home")).content.decode()
    assert _review(client, wadomari.staff, place).status_code == 302
    place.refresh_from_db()
    assert place.live


def _as_each_town_s_staff(client, towns):
    """Logged in as each town's staff in turn: yields (their town, the other town)."""
    wadomari, china = towns
    for own, other in ((wadomari, china), (china, wadomari)):
        client.force_login(own.staff)
        yield own, other


def _lists_only_own(client, url: str, own: SimpleNamespace, other: SimpleNamespace) -> bool:
    listing = client.get(url).content.decode()
    return own.organization.name in listing and other.organization.name not in listing


def test_staff_invite_editors_for_their_own_town_s_groups_only(client, towns):
    for own, other in _as_each_town_s_staff(client, towns):
        assert _lists_only_own(client, reverse("community_editors"), own, other)
        invite = reverse("community_invite", args=[other.organization.pk])
        assert client.get(invite).status_code == 404
        assert client.post(invite, {"email": "someone@example.jp"}).status_code == 404
        assert (
            client.get(reverse("community_invite", args=[own.organization.pk])).status_code == 200
        )
    assert not get_user_model().objects.filter(email="someone@example.jp").exists()


def test_a_superuser_manages_every_town_s_groups(client, towns):
    wadomari, china = towns
    admin = get_user_model().objects.create_superuser("it", "it@example.jp", PASSWORD)
    client.force_login(admin)
    listing = client.get(reverse("community_editors")).content.decode()
    assert wadomari.organization.name in listing and china.organization.name in listing
    invite = reverse("community_invite", args=[china.organization.pk])
    assert client.get(invite).status_code == 200


def _snippet_url(name: str, *args) -> str:
    return reverse(f"wagtailsnippets_resources_organization:{name}", args=args)


def test_staff_see_and_edit_their_own_town_s_organisations_only(client, towns):
    for own, other in _as_each_town_s_staff(client, towns):
        assert _lists_only_own(client, _snippet_url("list"), own, other)
        assert client.get(_snippet_url("edit", own.organization.pk)).status_code == 200
        for name in ("edit", "copy", "usage", "history", "delete"):
            response = client.get(_snippet_url(name, other.organization.pk))
            assert response.status_code == 404, name
        changed = {"name": "書き換え", "kind": "voluntary"}
        assert client.post(_snippet_url("edit", other.organization.pk), changed).status_code == 404
        other.organization.refresh_from_db()
        assert other.organization.name != "書き換え"


def test_an_organisation_made_by_a_town_s_staff_belongs_to_that_town(client, towns):
    wadomari, china = towns
    client.force_login(china.staff)
    response = client.post(_snippet_url("add"), {"name": "知名町の新しい会", "kind": "voluntary"})
    assert response.status_code == 302
    organization = Organization.objects.get(name="知名町の新しい会")
    assert organization.site == china.site
    assert [s.get_parent().pk for s in services.ensure_sections(organization)] == [
        china.directory.pk,
        china.calendar.pk,
        china.volunteers.pk,
    ]


def test_the_organisation_s_town_is_a_superuser_s_to_change(client, towns):
    wadomari, china = towns
    url = reverse("wagtailsnippets_resources_organization:edit", args=[china.organization.pk])
    client.force_login(china.staff)
    assert 'name="site"' not in client.get(url).content.decode()
    admin = get_user_model().objects.create_superuser("it", "it@example.jp", PASSWORD)
    client.force_login(admin)
    assert 'name="site"' in client.get(url).content.decode()


def test_setup_community_sets_up_each_town_s_moderation():
    wadomari, china = two_towns()
    out = StringIO()
    call_command("setup_community", stdout=out)
    assert out.getvalue().splitlines() == [
        "ワークフロー「町の承認」を設定しました。",
        "ワークフロー「町の承認（知名町）」を設定しました。",
    ]
    for town, name in ((wadomari, "町の承認"), (china, "町の承認（知名町）")):
        assert town.directory.get_workflow().name == name
        assert town.volunteers.get_workflow().name == name
