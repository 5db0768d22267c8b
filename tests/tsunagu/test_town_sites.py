"""Teams and districts belong to a town (a Wagtail site): the migration gives existing rows the
default site, and a name is unique per town, not across the install (issue 17)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from wagtail.models import Page, Site

from matching.models import Team
from resources.models import Area
from tests.matching.factories import TeamFactory
from tests.resources.factories import AreaFactory
from tests.support.migrations import latest_schema_afterwards  # noqa: F401 - fixture

BEFORE = [
    ("matching", "0009_answer_seen"),
    ("resources", "0006_organization_kind_other_term_source"),
]
AFTER = [("matching", "0010_team_site"), ("resources", "0007_area_site")]


def second_site(hostname: str = "china.example.jp") -> Site:
    root = Page.get_first_root_node().add_child(instance=Page(title="知名町", slug="china"))
    return Site.objects.create(hostname=hostname, root_page=root)


def migrate(targets: list[tuple[str, str]]):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_afterwards")
def test_the_migration_puts_existing_teams_and_districts_in_the_default_site():
    try:
        old = migrate(BEFORE)
        old.get_model("matching", "Team").objects.create(name="移行前のチーム")
        old.get_model("resources", "Area").objects.create(
            name="移行前の地区", latitude=27, longitude=128
        )
    finally:
        migrate(AFTER)
    default = Site.objects.get(is_default_site=True)
    assert Team.objects.get(name="移行前のチーム").site == default
    assert Area.objects.get(name="移行前の地区").site == default


@pytest.mark.django_db
def test_new_rows_default_to_the_default_site():
    default = Site.objects.get(is_default_site=True)
    assert TeamFactory().site == default
    assert AreaFactory().site == default


@pytest.mark.django_db
def test_two_towns_may_share_a_team_or_district_name_but_one_town_may_not():
    other = second_site()
    TeamFactory(name="地域包括支援センター")
    Team.objects.create(name="地域包括支援センター", site=other)
    AreaFactory(name="手々知名")
    Area.objects.create(name="手々知名", site=other, latitude=27, longitude=128)
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(name="地域包括支援センター", site=other)
    with pytest.raises(IntegrityError), transaction.atomic():
        Area.objects.create(name="手々知名", site=other, latitude=27, longitude=128)


@pytest.mark.django_db
def test_the_team_admin_chooses_the_town_and_lists_it(client, django_user_model):
    other = second_site()
    TeamFactory(name="地域包括支援センター")
    client.force_login(django_user_model.objects.create_superuser("root", "r@example.jp", "x"))
    form = client.get(reverse("team:add")).content.decode()
    assert 'name="site"' in form and "町（サイト）" in form
    response = client.post(
        reverse("team:add"),
        {"site": other.pk, "name": "地域包括支援センター", "kind": "community_support",
         "phone": "", "email": "", "memberships-TOTAL_FORMS": "0",
         "memberships-INITIAL_FORMS": "0", "memberships-MIN_NUM_FORMS": "0",
         "memberships-MAX_NUM_FORMS": "1000"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Team.objects.get(site=other).name == "地域包括支援センター"
    assert "china.example.jp" in client.get(reverse("team:index")).content.decode()
