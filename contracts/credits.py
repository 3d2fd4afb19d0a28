"""The credit ledger (SPEC section 4): spends, refunds, adjustments and the balances they add up to.

Every write locks the contract row first (``select_for_update``), reads the ledger, then appends a
row, so two agents resolving tickets of one contract at the same moment never lose or double a
credit. The unique ``(ticket, ticket_seq)`` constraint is the database's backstop.
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.actor import current_user

from .cycles import Cycle, cycle_containing
from .models import Contract, CreditEntry

ADJUSTMENT_NEEDS_REASON = _("Say why the credits are adjusted.")
ADJUSTMENT_NOT_ZERO = _("Adjust by a whole number of credits other than 0.")
ADJUSTMENT_NEEDS_TICKET_BASED = _("Only a ticket-based plan has credits to adjust.")


@dataclass(frozen=True)
class CreditSummary:
    """A contract's credits in one cycle of a ticket-based plan."""

    cycle: Cycle
    limit: int
    used: int
    adjusted: int

    @property
    def left(self) -> int:
        return self.limit + self.adjusted - self.used

    @property
    def is_used_up(self) -> bool:
        return self.left <= 0


def cycle_for(contract: Contract, day: datetime.date | None = None) -> Cycle | None:
    """The cycle of ``contract`` containing ``day`` (default today); None if unlimited."""
    plan = contract.support_plan
    if not plan.is_ticket_based:
        return None
    return cycle_containing(
        anchor=contract.start_date,
        contract_end=contract.end_date,
        cycle=plan.credit_cycle,
        day=day or timezone.localdate(),
    )


def summary_for(contract: Contract, day: datetime.date | None = None) -> CreditSummary | None:
    """Used, adjusted and left credits in the cycle containing ``day``; None if unlimited."""
    cycle = cycle_for(contract, day)
    if cycle is None:
        return None
    totals = CreditEntry.objects.filter(contract=contract, cycle_start=cycle.start).aggregate(
        spent=Sum("delta", filter=~Q(kind=CreditEntry.Kind.ADJUSTMENT), default=0),
        adjusted=Sum("delta", filter=Q(kind=CreditEntry.Kind.ADJUSTMENT), default=0),
    )
    return CreditSummary(
        cycle=cycle,
        limit=contract.support_plan.credit_limit,
        used=-totals["spent"],
        adjusted=totals["adjusted"],
    )


def lock_contract(contract_id: int) -> Contract:
    """The contract with its plan and SLA, its row locked until the transaction ends: balances
    read and written under it agree with concurrent spends.

    Only the contract's row (``of``: not its plan's or SLA's, which other contracts share), and as
    ``FOR NO KEY UPDATE``: rows that merely point at the contract need not wait for it."""
    return (
        Contract.objects.select_for_update(of=("self",), no_key=True)
        .select_related("support_plan__sla")
        .get(pk=contract_id)
    )


def sync_for_ticket(*, ticket) -> CreditEntry | None:
    """Make the ledger agree with the ticket: a resolved ticket holds one credit, any other none.

    Resolving spends one credit in the cycle of the resolution; reopening refunds it to the cycle
    it was spent in. Calling it again changes nothing. Tickets created while the plan's credits
    were used up follow no SLA and spend nothing.
    """
    if ticket.contract_id is None:
        return None
    with transaction.atomic(savepoint=False):  # inside the ticket's save: all or nothing
        contract = lock_contract(ticket.contract_id)
        last = CreditEntry.objects.filter(ticket_id=ticket.pk).order_by("-ticket_seq").first()
        holds_credit = last is not None and last.kind == CreditEntry.Kind.SPEND
        if ticket.is_resolved == holds_credit:
            return None
        if ticket.is_resolved and ticket.sla_exemption:
            return None
        seq = 0 if last is None else last.ticket_seq + 1
        if ticket.is_resolved:
            resolved_on = timezone.localdate(ticket.resolved_at or timezone.now())
            cycle = cycle_for(contract, resolved_on)
            kind, delta = CreditEntry.Kind.SPEND, -1
            cycle_start, cycle_end = (cycle.start, cycle.end) if cycle else (None, None)
        else:
            kind, delta = CreditEntry.Kind.REFUND, 1
            cycle_start, cycle_end = last.cycle_start, last.cycle_end
        return CreditEntry.objects.create(
            contract=contract,
            ticket_id=ticket.pk,
            ticket_seq=seq,
            kind=kind,
            delta=delta,
            cycle_start=cycle_start,
            cycle_end=cycle_end,
            created_by=current_user(),
        )


def adjust(*, contract: Contract, delta: int, reason: str, by) -> CreditEntry:
    """Add (or, when negative, take away) credits in the contract's current cycle."""
    reason = (reason or "").strip()
    errors = {}
    if not delta:
        errors["delta"] = ADJUSTMENT_NOT_ZERO
    if not reason:
        errors["reason"] = ADJUSTMENT_NEEDS_REASON
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contract = lock_contract(contract.pk)
        cycle = cycle_for(contract)
        if cycle is None:
            raise ValidationError(ADJUSTMENT_NEEDS_TICKET_BASED)
        return CreditEntry.objects.create(
            contract=contract,
            kind=CreditEntry.Kind.ADJUSTMENT,
            delta=delta,
            cycle_start=cycle.start,
            cycle_end=cycle.end,
            created_by=by,
            reason=reason,
        )
