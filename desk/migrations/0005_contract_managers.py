"""The ready group Contract managers: agents who may also create, change and credit contracts."""

import importlib

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTRACT_MANAGERS = "Contract managers"

# What contract managers may do besides what agents may.
CONTRACT_PERMISSIONS = [
    "contracts.add_contract",
    "contracts.change_contract",
    "contracts.adjust_credits",
]


def create_contract_managers(apps, schema_editor):
    # Permissions are normally created after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    groups = importlib.import_module("desk.migrations.0002_groups")

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    managers, _ = Group.objects.get_or_create(name=CONTRACT_MANAGERS)
    managers.permissions.set(
        [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in (
                name.split(".") for name in [*groups.AGENT_PERMISSIONS, *CONTRACT_PERMISSIONS]
            )
        ]
    )


def remove_contract_managers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=CONTRACT_MANAGERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("desk", "0004_outgoing_email"),
        ("contracts", "0006_open_ended_contracts_and_renewals"),
    ]

    operations = [migrations.RunPython(create_contract_managers, remove_contract_managers)]
