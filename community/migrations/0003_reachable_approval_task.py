"""Town staff's approval refuses a page nobody can be reached about (issue 15).

The existing 「町職員による承認」 task becomes the new type in place (same row, same groups,
workflows and task states, only the child row and its content type added), so approvals in
progress carry on under the new rule.
"""

import django.db.models.deletion
from django.db import migrations, models

TASK_NAME = "町職員による承認"


def convert_town_task(apps, schema_editor):
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    Task = apps.get_model("wagtailcore", "Task")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReachableApprovalTask = apps.get_model("community", "ReachableApprovalTask")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="community", model="reachableapprovaltask"
    )
    existing = ReachableApprovalTask.objects.values_list("pk", flat=True)
    for task in GroupApprovalTask.objects.filter(name=TASK_NAME).exclude(pk__in=existing):
        # raw: only this model's table gets a row; the parents' rows are the existing ones.
        ReachableApprovalTask(groupapprovaltask_ptr_id=task.pk).save_base(raw=True)
        Task.objects.filter(pk=task.pk).update(content_type=content_type)


def restore_town_task(apps, schema_editor):
    Task = apps.get_model("wagtailcore", "Task")
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReachableApprovalTask = apps.get_model("community", "ReachableApprovalTask")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="wagtailcore", model="groupapprovaltask"
    )
    ids = list(ReachableApprovalTask.objects.values_list("pk", flat=True))
    Task.objects.filter(pk__in=ids).update(content_type=content_type)
    # Only the child rows: the task, its groups and its history stay.
    ReachableApprovalTask.objects.filter(pk__in=ids)._raw_delete(schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_invitation"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReachableApprovalTask",
            fields=[
                (
                    "groupapprovaltask_ptr",
                    models.OneToOneField(
                        auto_created=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        parent_link=True,
                        primary_key=True,
                        serialize=False,
                        to="wagtailcore.groupapprovaltask",
                    ),
                ),
            ],
            options={
                "verbose_name": "approval by town staff (contact details required)",
                "verbose_name_plural": "approvals by town staff (contact details required)",
            },
            bases=("wagtailcore.groupapprovaltask",),
        ),
        migrations.RunPython(convert_town_task, restore_town_task),
    ]
