"""The audit log: every view, change and export of a client; append-only; supervisors read it."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from matching.models import ClientLogEntry

pytestmark = pytest.mark.django_db


def actions(person, user=None) -> list[str]:
    entries = ClientLogEntry.objects.filter(client_id=person.pk).order_by("timestamp", "pk")
    if user is not None:
        entries = entries.filter(user=user)
    return list(entries.values_list("action", flat=True))


def test_viewing_the_client_page_is_logged(client, person, coordinator):
    client.force_login(coordinator)
    client.get(f"/admin/clients/{person.pk}/")
    client.get(f"/admin/clients/{person.pk}/edit/")
    assert actions(person, coordinator) == ["matching.client.view", "matching.client.view"]
    entry = ClientLogEntry.objects.filter(client_id=person.pk).first()
    assert entry.label == person.reference_code
    assert entry.data == {"page": "edit"}


def test_a_denied_view_is_not_a_view(client, person, other_coordinator):
    client.force_login(other_coordinator)
    client.get(f"/admin/clients/{person.pk}/")
    assert actions(person) == []


def test_editing_in_the_admin_is_logged(client, person, coordinator):
    client.force_login(coordinator)
    data = {
        "name": person.name, "kana": person.kana, "team": person.team_id, "status": "supporting",
        "availability": ["2-morning"], "coordinators": [coordinator.pk],
    }  # fmt: skip
    response = client.post(f"/admin/clients/{person.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.status == "supporting"
    assert "wagtail.edit" in actions(person, coordinator)


def test_creating_in_the_admin_is_logged(client, team_a, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/admin/clients/new/", {"name": "新規 一郎", "team": team_a.pk, "status": "consulting"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    (person,) = team_a.clients.all()
    assert actions(person, coordinator) == ["wagtail.create"]
    assert response["Location"] == f"/admin/clients/{person.pk}/"


def test_an_export_logs_every_exported_client(client, person, supervisor, team_b):
    from .factories import ClientFactory

    other = ClientFactory(team=team_b)
    client.force_login(supervisor)
    response = client.get("/admin/clients/?export=csv&team=" + str(team_b.pk))
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    assert other.reference_code in content and person.reference_code not in content
    assert actions(other, supervisor) == ["matching.client.export"]
    assert actions(person) == []


def test_commands_are_logged_as_the_system_or_the_named_user(consented, coordinator, activity):
    call_command("propose", consented.reference_code, stdout=io.StringIO())
    call_command(
        "propose", consented.reference_code, "--by", coordinator.username, stdout=io.StringIO()
    )
    entries = ClientLogEntry.objects.filter(action="matching.client.propose").order_by("pk")
    assert [e.user for e in entries] == [None, coordinator]
    assert entries[0].user_id is None  # Wagtail shows it as "system"


def test_the_log_cannot_be_changed_through_the_orm(person, coordinator, client):
    client.force_login(coordinator)
    client.get(f"/admin/clients/{person.pk}/")
    entry = ClientLogEntry.objects.get()
    entry.action = "matching.client.export"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        ClientLogEntry.objects.update(action="x")
    with pytest.raises(ValidationError):
        ClientLogEntry.objects.all().delete()
    assert ClientLogEntry.objects.get().action == "matching.client.view"


def test_supervisors_read_the_clients_log_in_the_admin(client, person, coordinator, supervisor):
    client.force_login(coordinator)
    client.get(f"/admin/clients/{person.pk}/")
    client.force_login(supervisor)
    page = client.get(f"/admin/clients/{person.pk}/history/").content.decode()
    assert coordinator.username in page
    assert person.name not in page
