from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from contracts import credits
from contracts.models import Contract, CreditEntry
from customers.selectors import account_contacts
from desk.choices import Status
from desk.history import history_entries
from desk.selectors import department_list
from sla.clock import SlaState, state_condition

from .models import Ticket
from .services import contracts_offered

if TYPE_CHECKING:
    from customers.models import Account
    from desk.models import Department


def ticket_list(user):
    return Ticket.objects.visible_to(user).select_related(
        "account", "department", "assignee", "sla"
    )


def ticket_detail_queryset(user):
    return Ticket.objects.visible_to(user).select_related(
        "account", "contact", "department", "assignee", "sla"
    )


def ticket_home_figures(user, now: datetime.datetime) -> dict[str, int]:
    """The home page's ticket figures, among the tickets the user sees: their own unresolved
    tickets, and those overdue or due within the hour (``sla.clock``): one query."""
    return Ticket.objects.visible_to(user).aggregate(
        mine=Count("pk", filter=Q(assignee=user) & ~Q(status__in=Status.resolved_kinds())),
        overdue=Count("pk", filter=state_condition(SlaState.OVERDUE, now)),
        due_soon=Count("pk", filter=state_condition(SlaState.DUE_SOON, now)),
    )


def ticket_panels(ticket: Ticket, *, user) -> dict:
    """What the ticket page shows beside the ticket: its contract panel, ledger and history."""
    # The contract in a query of its own rather than joined to the ticket's: PostgreSQL took 5 ms
    # to plan the twelve-table join, and 0.4 ms to run it. None when the user may not see it
    # (the Contracts module is off for the contract's department).
    contract = None
    if ticket.contract_id is not None:
        contract = (
            Contract.objects.visible_to(user)
            .select_related("support_plan__sla")
            .filter(pk=ticket.contract_id)
            .first()
        )
    return {
        "contract": contract,
        "credit_summary": credits.summary_for(contract) if contract else None,
        "ticket_credit_entries": CreditEntry.objects.filter(ticket=ticket)
        .select_related("created_by")
        .order_by("-created_at", "-pk"),
        "history": history_entries(
            ticket.history,
            related=("assignee", "contract", "sla"),
            empty={"assignee": _("Unassigned")},
        ),
    }


def account_recent_tickets(user, account, limit: int = 20):
    return (
        Ticket.objects.visible_to(user)
        .filter(account=account)
        .select_related("department")
        .order_by("-created_at", "-pk")[:limit]
    )


def contract_label(contract: Contract) -> str:
    """How the new-ticket form names one of the chosen account's contracts."""
    if contract.product_name:
        return f"{contract} · {contract.product_name}"
    return str(contract)


def department_chosen(user, value) -> Department | None:
    """The department ``value`` (an id as posted) names, if the user works in it."""
    value = str(value or "").strip()
    if not (value.isascii() and value.isdigit() and len(value) < 19):
        return None
    return department_list(user).filter(pk=int(value)).first()


def new_ticket_choices(
    *, account: Account, department: Department | None, day: datetime.date
) -> dict[str, list[dict]]:
    """What the new-ticket form offers once ``account`` is chosen: its contacts, and the
    contracts a ticket of it in ``department`` may follow on ``day`` (none without one)."""
    contracts = contracts_offered(account=account, department=department, day=day)
    return {
        "contacts": [{"id": c.pk, "name": str(c)} for c in account_contacts(account)],
        "contracts": [{"id": c.pk, "label": contract_label(c)} for c in contracts],
    }
