from contracts import credits
from contracts.models import Contract, CreditEntry
from desk.history import with_changes

from .models import Ticket

HISTORY_SHOWN = 50


def ticket_list(user):
    return Ticket.objects.visible_to(user).select_related(
        "account", "department", "assignee", "sla", "contract"
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


def ticket_panels(ticket: Ticket, *, user) -> dict:
    """What the ticket page shows beside the ticket: its contract panel, ledger and history."""
    contract = ticket.contract
    if (
        contract is not None
        and not Contract.objects.visible_to(user).filter(pk=contract.pk).exists()
    ):
        contract = None  # the Contracts module is off for the contract's department
    history = list(
        ticket.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_SHOWN + 1
        ]
    )
    return {
        "contract": contract,
        "credit_summary": credits.summary_for(contract) if contract else None,
        "ticket_credit_entries": CreditEntry.objects.filter(ticket=ticket)
        .select_related("created_by")
        .order_by("-created_at", "-pk"),
        "history": with_changes(history)[:HISTORY_SHOWN],
    }
