"""Teams belong to a town (a Wagtail site); existing ones to the default site (issue 17)."""

from django.db import migrations

from tsunagu.sites import site_operations


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0009_answer_seen"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = site_operations(
        "matching",
        "Team",
        related_name="teams",
        name_length=100,
        constraint="matching_team_name_per_site",
    )
