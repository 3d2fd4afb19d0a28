from django.db import transaction

from .models import Department


@transaction.atomic
def departments_set_contracts_module(*, departments, enabled: set[Department]) -> None:
    """Among ``departments`` (those the administrator manages), switch Contracts on for exactly
    ``enabled``; other departments are left as they are."""
    ids = {d.pk for d in departments}
    on = {d.pk for d in enabled} & ids
    Department.objects.filter(pk__in=on).update(contracts_enabled=True)
    Department.objects.filter(pk__in=ids - on).update(contracts_enabled=False)
