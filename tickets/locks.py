"""Row locks on tickets. The lock policy (README, "Locks"): take locks in the order ticket, then
contract, then account, each ``FOR NO KEY UPDATE`` unless a comment says why not, several rows of
one table in primary-key order.
"""

from django.db.models import QuerySet

from .models import Ticket


def lock_ticket(ticket_id: int, *, with_assignee: bool = False) -> Ticket:
    """The ticket with its department and SLA (the department's wall, the SLA's clock), its row
    locked until the transaction ends, read afresh: a change decided on it cannot be undone by
    a save that started from an older copy. ``with_assignee``: its assignee too, for a reply
    that tells them (each table joined costs every change that locks a ticket).

    Only the ticket's own row (``of``), and ``NO KEY``: credit entries and firings that merely
    point at it need not wait."""
    related = ["department", "sla", *(["assignee"] if with_assignee else [])]
    return (
        Ticket.objects.select_for_update(of=("self",), no_key=True)
        .select_related(*related)
        .get(pk=ticket_id)
    )


def lock_tickets_skipping_held(tickets: QuerySet[Ticket]) -> list[Ticket]:
    """Lock the rows of ``tickets`` in primary-key order, leaving out those another transaction
    holds (a person's edit, another run): scheduled work picks them up on its next run rather
    than wait, or decide on a copy that the person's save is about to change."""
    return list(
        tickets.select_for_update(of=("self",), no_key=True, skip_locked=True).order_by("pk")
    )
