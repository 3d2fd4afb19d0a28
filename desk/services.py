from django.db import transaction

from .models import Department


@transaction.atomic
def departments_set_contracts_module(*, enabled_ids: set[int]) -> None:
    """Switch the Contracts module on for exactly the departments in ``enabled_ids``."""
    Department.objects.filter(pk__in=enabled_ids).update(contracts_enabled=True)
    Department.objects.exclude(pk__in=enabled_ids).update(contracts_enabled=False)
