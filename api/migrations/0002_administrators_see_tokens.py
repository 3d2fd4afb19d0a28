"""The Administrators group sees every API token in the back office and may revoke one."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TOKEN_PERMISSIONS = ["view_apitoken", "delete_apitoken"]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="api", codename__in=TOKEN_PERMISSIONS
    )
    for group in apps.get_model("auth", "Group").objects.filter(name="Administrators"):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Administrators"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="api"))


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("desk", "0002_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
