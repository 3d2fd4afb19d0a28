"""The credit ledger (SPEC section 4): spends, refunds, adjustments and the balances they add up to.

Every write locks the contract row first (``select_for_update``), reads the ledger, then appends a
row, so two agents resolving tickets of one contract at the same moment never lose or double a
credit. The unique ``(ticket, ticket_seq)`` constraint is the database's backstop.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.access import require_department, require_permission
from desk.signals import send_record_changed

from .cycles import Cycle, cycle_containing
from .locks import lock_contract
from .models import Contract, CreditEntry

ADJUSTMENT_NEEDS_REASON = _("Say why the credits are adjusted.")
ADJUSTMENT_NOT_ZERO = _("Adjust by a whole number of credits other than 0.")
ADJUSTMENT_NEEDS_TICKET_BASED = _("Only a ticket-based plan has credits to adjust.")
# Far above any plan's credits per cycle, far below the database column's limit.
ADJUSTMENT_MAX = 10_000
ADJUSTMENT_TOO_LARGE = _("Adjust by at most %(limit_value)s credits either way.")
ADJUSTMENT_NEEDS_CONFIRMATION = _(
    "That is %(delta)s credits, more than the plan's %(limit)s credits per cycle. Tick the box "
    "to confirm the adjustment."
)
OVER_LIMIT_WHY = _(
    "Tickets opened while credits were left were resolved after they ran out: each still spent "
    "its credit."
)


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
    def over_limit_by(self) -> int:
        """How far below zero the balance is (SPEC section 4: shown in words, never negative)."""
        return max(0, -self.left)

    @property
    def over_limit_why(self):
        return OVER_LIMIT_WHY if self.over_limit_by else ""

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
        limit=contract.support_plan.credit_limit or 0,
        used=-totals["spent"],
        adjusted=totals["adjusted"],
    )


def holds_credit(ticket) -> bool:
    """Whether the ticket holds a spent credit now (its last ledger row is a spend)."""
    last = CreditEntry.objects.filter(ticket_id=ticket.pk).order_by("-ticket_seq").first()
    return last is not None and last.kind == CreditEntry.Kind.SPEND


def sync_for_ticket(*, ticket, by) -> CreditEntry | None:
    """Make the ledger agree with the ticket: a resolved ticket holds one credit, any other none.

    Resolving spends one credit in the cycle of the resolution; reopening refunds it to the cycle
    it was spent in, on the contract it was spent on. Calling it again changes nothing. Tickets
    created while the plan's credits were used up (sla_exemption) spend nothing. ``by``: who
    changed the ticket's status (None for the desk itself).
    """
    with transaction.atomic(savepoint=False):  # inside the ticket's save: all or nothing
        last = CreditEntry.objects.filter(ticket_id=ticket.pk).order_by("-ticket_seq").first()
        spend = last if last is not None and last.kind == CreditEntry.Kind.SPEND else None
        if ticket.is_resolved == (spend is not None):
            return None
        seq = 0 if last is None or last.ticket_seq is None else last.ticket_seq + 1
        if spend is not None:
            # The refund goes back where the credit was spent (the caller holds the ticket's
            # lock, so its ledger rows cannot change meanwhile).
            contract = lock_contract(spend.contract_id, with_sla=False)
            kind, delta = CreditEntry.Kind.REFUND, 1
            cycle_start, cycle_end = spend.cycle_start, spend.cycle_end
        else:
            if ticket.sla_exemption or ticket.contract_id is None:
                return None
            contract = lock_contract(ticket.contract_id, with_sla=False)
            resolved_on = timezone.localdate(ticket.resolved_at or timezone.now())
            cycle = cycle_for(contract, resolved_on)
            kind, delta = CreditEntry.Kind.SPEND, -1
            cycle_start, cycle_end = (cycle.start, cycle.end) if cycle else (None, None)
        entry = CreditEntry.objects.create(
            contract=contract,
            ticket_id=ticket.pk,
            ticket_seq=seq,
            kind=kind,
            delta=delta,
            cycle_start=cycle_start,
            cycle_end=cycle_end,
            created_by=by,
        )
        send_record_changed(contract, by=by, credit=True)
        return entry


def adjust(*, by, contract: Contract, delta: int, reason: str) -> CreditEntry:
    """Add (or, when negative, take away) credits in the contract's current cycle."""
    require_permission(by, "contracts.adjust_credits")
    reason = (reason or "").strip()
    errors: dict[str, Any] = {}
    if not delta:
        errors["delta"] = ADJUSTMENT_NOT_ZERO
    elif abs(delta) > ADJUSTMENT_MAX:
        errors["delta"] = ValidationError(
            ADJUSTMENT_TOO_LARGE, params={"limit_value": ADJUSTMENT_MAX}
        )
    if not reason:
        errors["reason"] = ADJUSTMENT_NEEDS_REASON
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contract = lock_contract(contract.pk)
        require_department(by, contract.support_plan.department)
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
