"""Town staff moderate listings (Wagtail's "Moderators" group): they get the stale report too.

Community groups' editors do not. Administrators can grant it to other groups in the admin.
"""

from django.db import migrations

GROUP = "Moderators"


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group = Group.objects.filter(name=GROUP).first()
    if group is None:
        return
    content_type, _ = ContentType.objects.get_or_create(
        app_label="verification", model="verificationreminder"
    )
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_stale_report",
        defaults={"name": "Can view the report of stale listings"},
    )
    group.permissions.add(permission)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(
        content_type__app_label="verification", codename="view_stale_report"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
