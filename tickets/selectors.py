from contracts import credits
from contracts.models import Contract, CreditEntry
from desk.history import history_entries

from .models import Ticket


def ticket_list(user):
    return Ticket.objects.visible_to(user).select_related(
        "account", "department", "assignee", "sla"
    )


def ticket_detail_queryset(user):
    return Ticket.objects.visible_to(user).select_related(
        "account", "contact", "department", "assignee", "sla"
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
        "history": history_entries(ticket.history, related=("assignee", "contract", "sla")),
    }


def account_recent_tickets(user, account, limit: int = 20):
    return (
        Ticket.objects.visible_to(user)
        .filter(account=account)
        .select_related("department")
        .order_by("-created_at", "-pk")[:limit]
    )
