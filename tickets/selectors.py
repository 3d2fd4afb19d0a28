from contracts import credits
from contracts.models import Contract, CreditEntry
from desk.history import history_entries

from .models import Ticket


def ticket_list(user):
    return Ticket.objects.visible_to(user).select_related("account", "department", "sla")


def ticket_detail_queryset(user):
    return Ticket.objects.visible_to(user).select_related(
        "account",
        "contact",
        "department",
        "assignee",
        "sla",
        "created_by",
        "contract",
        "contract__owner",
        "contract__support_plan",
        "contract__support_plan__sla",
        "contract__support_plan__department",
    )


def ticket_panels(ticket: Ticket, *, user) -> dict:
    """What the ticket page shows beside the ticket: its contract panel, ledger and history."""
    contract = ticket.contract
    if (
        contract is not None
        and not Contract.objects.visible_to(user).filter(pk=contract.pk).exists()
    ):
        contract = None  # the Contracts module is off for the contract's department
    return {
        "contract": contract,
        "credit_summary": credits.summary_for(contract) if contract else None,
        "ticket_credit_entries": CreditEntry.objects.filter(ticket=ticket)
        .select_related("created_by")
        .order_by("-created_at", "-pk"),
        "history": history_entries(ticket.history, related=("assignee", "contract", "sla")),
    }
