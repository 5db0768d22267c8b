"""The referral date (受付日): on the client form and as an optional column of the import, never in
the future; left empty, a new case was referred today and an existing one keeps its date."""

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from matching.models import Client

from .factories import ClientFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to("2026-11-20 12:00 +0900", tick=False)


def create(browser, user, team, **fields):
    browser.force_login(user)
    data = {"name": "受付 太郎", "team": team.pk, "status": "consulting", **fields}
    return browser.post("/admin/clients/new/", data)


def test_the_form_has_the_referral_date(client, coordinator, team_a):
    client.force_login(coordinator)
    page = client.get("/admin/clients/new/").content.decode()
    assert 'name="referred_on"' in page and "受付日" in page


def test_a_past_referral_date_is_kept(client, coordinator, team_a):
    response = create(client, coordinator, team_a, referred_on="2026-04-01")
    assert response.status_code == 302
    assert Client.objects.get().referred_on == dt.date(2026, 4, 1)


def test_a_future_referral_date_is_refused_and_nothing_is_created(client, coordinator, team_a):
    response = create(client, coordinator, team_a, referred_on="2026-11-21")
    assert response.status_code == 200
    assert "受付日に未来の日付は指定できません。" in response.content.decode()
    assert not Client.objects.exists()


def test_left_empty_a_new_case_was_referred_today_an_old_one_keeps_its_day(
    client, coordinator, team_a
):
    create(client, coordinator, team_a, referred_on="")
    assert Client.objects.get().referred_on == TODAY
    person = ClientFactory(team=team_a, referred_on=dt.date(2025, 6, 1))
    data = {"name": person.name, "team": team_a.pk, "status": "supporting", "referred_on": ""}
    response = client.post(f"/admin/clients/{person.pk}/edit/", data)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.status, person.referred_on) == ("supporting", dt.date(2025, 6, 1))


# --- the import ------------------------------------------------------------------------------


def run(tmp_path: Path, *lines: str, header: str = "外部ID,氏名,受付日") -> str:
    path = tmp_path / "clients.csv"
    path.write_text("\n".join([header, *lines]), encoding="utf-8")
    out = io.StringIO()
    call_command("import_clients", str(path), "--team", "地域包括支援センター", stdout=out)
    return out.getvalue()


def test_the_import_reads_the_referral_date_in_the_ways_excel_writes_it(tmp_path, team_a):
    run(tmp_path, "R-1,一,2026/4/1", "R-2,二,2026-04-02", "R-3,三,２０２６年４月３日", "R-4,四,")
    dates = dict(Client.objects.values_list("external_id", "referred_on"))
    assert dates == {
        "R-1": dt.date(2026, 4, 1),
        "R-2": dt.date(2026, 4, 2),
        "R-3": dt.date(2026, 4, 3),
        "R-4": TODAY,
    }


def test_the_column_may_be_called_referred_on_too(tmp_path, team_a):
    run(tmp_path, "R-1,一,2026-04-01", header="external_id,name,referred_on")
    assert Client.objects.get().referred_on == dt.date(2026, 4, 1)


def test_an_empty_cell_leaves_an_existing_date_as_it_was(tmp_path, team_a):
    run(tmp_path, "R-1,一,2026-04-01")
    run(tmp_path, "R-1,一,")
    assert Client.objects.get().referred_on == dt.date(2026, 4, 1)


def test_a_bad_or_future_date_is_refused_with_its_row_and_nothing_is_imported(tmp_path, team_a):
    with pytest.raises(CommandError) as error:
        run(tmp_path, "R-1,一,2026-04-01", "R-2,二,4月1日", "R-3,三,2026-11-21")
    message = str(error.value)
    assert "3行目" in message and "4月1日" in message
    assert "4行目" in message and "受付日に未来の日付は指定できません。" in message
    assert not Client.objects.exists()
