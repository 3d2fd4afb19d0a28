from contracts import credits
from contracts.models import CreditEntry

from .models import Ticket

HISTORY_SHOWN = 50


def ticket_list(user):
    return Ticket.objects.visible_to(user).select_related(
        "account", "department", "assignee", "sla"
    )


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


def ticket_panels(ticket: Ticket) -> dict:
    """What the ticket page shows beside the ticket: its contract panel, ledger and history."""
    contract = ticket.contract
    if contract is not None and not contract.support_plan.department.contracts_enabled:
        contract = None  # the Contracts module is off for this department
    return {
        "contract": contract,
        "credit_summary": credits.summary_for(contract) if contract else None,
        "ticket_credit_entries": CreditEntry.objects.filter(ticket=ticket)
        .select_related("created_by")
        .order_by("-created_at", "-pk"),
        "history": ticket.history.select_related("history_user").order_by("-history_date")[
            :HISTORY_SHOWN
        ],
    }
