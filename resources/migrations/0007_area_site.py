"""Districts belong to a town (a Wagtail site); existing ones to the default site (issue 17)."""

from django.db import migrations

from tsunagu.sites import site_operations


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0006_organization_kind_other_term_source"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = site_operations(
        "resources",
        "Area",
        related_name="areas",
        name_length=60,
        constraint="resources_area_name_per_site",
    )
