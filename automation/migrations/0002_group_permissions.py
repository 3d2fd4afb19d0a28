"""The ready groups and the automation models: administrators work them all in the back office;
agents and contract managers see and work tasks."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TASK_PERMISSIONS = ["view_task", "add_task", "change_task"]
TASK_GROUPS = ["Agents", "Contract managers"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    automation = Permission.objects.filter(content_type__app_label="automation")
    for group in Group.objects.filter(name="Administrators"):
        group.permissions.add(*automation)
    for group in Group.objects.filter(name__in=TASK_GROUPS):
        group.permissions.add(*automation.filter(codename__in=TASK_PERMISSIONS))


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.all():
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="automation"))


class Migration(migrations.Migration):
    dependencies = [
        ("automation", "0001_initial"),
        ("desk", "0005_contract_managers"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
