"""Community groups belong to a town (a Wagtail site); existing ones to the default site."""

from django.db import migrations

from tsunagu.sites import site_field_operations


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0007_area_site"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = site_field_operations("resources", "Organization", related_name="organizations")
