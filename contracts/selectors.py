from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone

from desk.history import history_entries

from .models import Contract, CreditEntry


def contract_list(user):
    return Contract.objects.visible_to(user).select_related(
        "account", "owner", "support_plan", "support_plan__sla"
    )


def contract_get(user, pk):
    return contract_list(user).get(pk=pk)


def contract_detail_queryset(user):
    return (
        contract_list(user)
        .select_related("support_plan__department")
        .prefetch_related("notify_users")
    )


def contract_list_for_account(user, account, day=None):
    """The account's contracts the user may see: active ones first, then upcoming, then expired."""
    day = day or timezone.localdate()
    return (
        contract_list(user)
        .filter(account=account)
        .annotate(
            state_rank=Case(
                When(start_date__gt=day, then=Value(1)),
                When(end_date__lt=day, then=Value(2)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("state_rank", "start_date", "pk")
    )


def credit_ledger(contract):
    """The contract's ledger rows, newest first."""
    return (
        CreditEntry.objects.filter(contract=contract)
        .select_related("ticket", "created_by")
        .order_by("-created_at", "-pk")
    )


def contract_history(contract):
    return history_entries(contract.history, related=("owner", "account", "support_plan"))
