"""Row locks on contracts (lock order, README "Locks": ticket, then contract, then account)."""

from django.db.models import QuerySet

from .models import Contract


def lock_contract(contract_id: int, *, with_sla: bool = True) -> Contract:
    """The contract with its plan and the plan's department (the workflow rules' receiver reads
    its rules version) and, unless ``with_sla`` is false (a ledger row's write does not read
    it), the plan's SLA, its row locked until the transaction ends: balances read and written
    under it agree with concurrent spends, and its history (ledger, tickets) cannot grow between
    a check and the write that relies on it.

    Only the contract's row (``of``: not its plan's or SLA's, which other contracts share), and as
    ``FOR NO KEY UPDATE``: rows that merely point at the contract need not wait for it."""
    related = ["support_plan__department", *(["support_plan__sla"] if with_sla else [])]
    return (
        Contract.objects.select_for_update(of=("self",), no_key=True)
        .select_related(*related)
        .get(pk=contract_id)
    )


def lock_contracts_skipping_held(contracts: QuerySet[Contract]) -> list[Contract]:
    """Lock the rows of ``contracts`` (only theirs, not their accounts' and plans') in
    primary-key order, leaving out those another transaction holds: scheduled work picks them up
    on its next run rather than wait."""
    return list(
        contracts.select_for_update(of=("self",), no_key=True, skip_locked=True).order_by("pk")
    )
