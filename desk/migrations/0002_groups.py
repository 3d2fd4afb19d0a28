"""The two ready groups: Administrators and Agents."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

DESK_APPS = ["desk", "customers", "sla", "plans", "contracts", "tickets"]

AGENT_PERMISSIONS = [
    "customers.view_account", "customers.add_account", "customers.change_account",
    "customers.view_contact", "customers.add_contact", "customers.change_contact",
    "tickets.view_ticket", "tickets.add_ticket", "tickets.change_ticket",
    "contracts.view_contract", "contracts.view_creditentry",
    "plans.view_supportplan", "sla.view_sla",
]


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    administrators, _ = Group.objects.get_or_create(name="Administrators")
    administrators.permissions.set(
        Permission.objects.filter(content_type__app_label__in=DESK_APPS)
    )

    agents, _ = Group.objects.get_or_create(name="Agents")
    agents.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in (name.split(".") for name in AGENT_PERMISSIONS)
        ]
    )


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Administrators", "Agents"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("customers", "0001_initial"),
        ("sla", "0001_initial"),
        ("plans", "0001_initial"),
        ("contracts", "0002_initial"),
        ("tickets", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
