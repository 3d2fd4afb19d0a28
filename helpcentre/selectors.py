"""What the help centre reads (SPEC section 9), always within one customer's reach.

Every read starts from the signed-in contact: their account's contracts, and their own tickets
(all the account's tickets for a contact who is the account's administrator). A record outside
that reach is simply absent, so a direct visit answers 404. Nothing internal is read here: no
owner, no ledger row or reason, no private note, no escalation rule.

The figures themselves have one home each, shared with the staff pages: a contract's credits in
a cycle are ``contracts.credits`` (read here for several contracts in one query), the usage is
``contracts.selectors.plan_credit_usage`` limited to the account, due times are ``sla.clock``'s.
"""

from __future__ import annotations

import datetime
import operator
from dataclasses import dataclass
from functools import reduce
from typing import TYPE_CHECKING

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils.translation import gettext_lazy as _

from contracts import credits
from contracts.models import Contract, CreditEntry
from desk.choices import Status
from sla.selectors import sla_targets_in_priority_order
from tickets.models import Reply, Ticket
from tickets.selectors import ticket_conversation, tickets_of_contact
from tickets.services import contracts_offered_to_account

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    from customers.models import Account, Contact

# How many of the contact's open tickets the home page lists.
RECENT_TICKETS = 5

# An agent whose first name is not set: never their username, which is an internal login.
AGENT_WITHOUT_NAME = _("Support team")


# --- contracts ----------------------------------------------------------------------------------


def contract_list(account: Account, day: datetime.date) -> QuerySet[Contract]:
    """The account's active and upcoming contracts on ``day`` (expired ones are not shown),
    active first, then upcoming, each by start date; with the plan, its SLA's targets in
    priority order and its business hours, in a fixed number of queries.

    Contracts of a department whose Contracts module is off stay hidden, as from the staff: no
    ticket follows them there."""
    return (
        Contract.objects.filter(account=account, support_plan__department__contracts_enabled=True)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
        .select_related("support_plan", "support_plan__sla")
        .prefetch_related(
            Prefetch("support_plan__sla__targets", queryset=sla_targets_in_priority_order()),
            "support_plan__sla__working_periods",
        )
        .annotate(
            upcoming=Case(
                When(start_date__gt=day, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("upcoming", "start_date", "pk")
    )


def contracts_for_new_ticket(account: Account, day: datetime.date) -> QuerySet[Contract]:
    """The contracts a customer may choose for a new ticket: those ``ticket_raise`` chooses
    from (the account's active contracts where the Contracts module is on)."""
    return contracts_offered_to_account(account=account, day=day)


@dataclass(frozen=True)
class ContractCredits:
    """A contract's credits in its current cycle, as the customer reads them."""

    summary: credits.CreditSummary
    # The day the next cycle starts; None when the contract ends with this cycle.
    next_cycle_start: datetime.date | None


def contract_credits(contracts: list[Contract], day: datetime.date) -> dict[int, ContractCredits]:
    """The credits of each active ticket-based contract of ``contracts`` in its cycle containing
    ``day``, by contract id: one grouped query for them all. The sums are those of
    ``credits.summary_for`` (a test holds the two to the same answers)."""
    cycles = {
        contract.pk: cycle
        for contract in contracts
        if contract.status_on(day) == Contract.Status.ACTIVE
        and (cycle := credits.cycle_for(contract, day)) is not None
    }
    if not cycles:
        return {}
    in_cycle = reduce(
        operator.or_,
        (Q(contract_id=pk, cycle_start=cycle.start) for pk, cycle in cycles.items()),
    )
    totals = {
        row["contract_id"]: row
        for row in CreditEntry.objects.filter(in_cycle)
        .values("contract_id")
        .annotate(
            spent=Sum("delta", filter=~Q(kind=CreditEntry.Kind.ADJUSTMENT), default=0),
            adjusted=Sum("delta", filter=Q(kind=CreditEntry.Kind.ADJUSTMENT), default=0),
        )
        .order_by()
    }
    found = {}
    for contract in contracts:
        cycle = cycles.get(contract.pk)
        if cycle is None:
            continue
        row = totals.get(contract.pk, {"spent": 0, "adjusted": 0})
        summary = credits.CreditSummary(
            cycle=cycle,
            limit=contract.support_plan.credit_limit or 0,
            used=-row["spent"],
            adjusted=row["adjusted"],
        )
        ends_here = contract.end_date is not None and cycle.end >= contract.end_date
        found[contract.pk] = ContractCredits(
            summary=summary,
            next_cycle_start=None if ends_here else cycle.end + datetime.timedelta(days=1),
        )
    return found


# --- tickets ------------------------------------------------------------------------------------


class TicketFilter:
    """The ticket list's choice: every ticket, the open ones or the resolved ones."""

    ALL = ""
    OPEN = "open"
    RESOLVED = "resolved"

    CHOICES = [
        (ALL, _("All tickets")),
        (OPEN, _("Open")),
        (RESOLVED, _("Resolved")),
    ]


def ticket_list(contact: Contact, *, show: str = TicketFilter.ALL) -> QuerySet[Ticket]:
    """The tickets ``contact`` may follow, newest first: their own, or every ticket of the
    account for its administrator. ``show``: all, open (not resolved or closed) or resolved."""
    tickets = tickets_of_contact(contact)
    if show == TicketFilter.OPEN:
        tickets = tickets.exclude(status__in=Status.resolved_kinds())
    elif show == TicketFilter.RESOLVED:
        tickets = tickets.filter(status__in=Status.resolved_kinds())
    if contact.is_account_admin:
        tickets = tickets.select_related("contact")
    return tickets.order_by("-created_at", "-pk")


def ticket_rows_by_id(ids) -> QuerySet[Ticket]:
    """A page of ``ticket_list`` by the ids its walls and filters found, with the contact the
    account's administrator sees on each row (``desk.pagination.IdFirstPaginator``)."""
    return Ticket.objects.select_related("contact").filter(pk__in=ids)


def recent_open_tickets(contact: Contact, limit: int = RECENT_TICKETS) -> list[Ticket]:
    return list(ticket_list(contact, show=TicketFilter.OPEN)[:limit])


def ticket_get(contact: Contact, pk: int) -> Ticket:
    """One of the contact's tickets (``Ticket.DoesNotExist`` for any other), with its contract
    and SLA."""
    return ticket_list(contact).select_related("contract", "sla").get(pk=pk)


@dataclass(frozen=True)
class Message:
    """One public message of a ticket's conversation, as the customer reads it."""

    author: str | _StrPromise
    from_customer: bool
    mine: bool  # written by the reader
    created_at: datetime.datetime
    body: str


def author_name(reply: Reply) -> str | _StrPromise:
    """Who wrote ``reply``, for a customer: a customer by their contact's name (or the user's
    full name), an agent by first name only (the team's surnames and logins stay internal)."""
    author = reply.author
    if reply.from_customer:
        if author is None:
            return _("Customer")
        contact = getattr(author, "contact", None)
        return str(contact) if contact is not None else author.get_full_name() or _("Customer")
    if author is None or not author.first_name:
        return AGENT_WITHOUT_NAME
    return author.first_name


def conversation(ticket: Ticket, *, reader) -> list[Message]:
    """The ticket's public replies, oldest first, with their authors' names: one query.
    Private notes are never read."""
    replies = ticket_conversation(ticket, public_only=True).select_related("author__contact")
    return [
        Message(
            author=author_name(reply),
            from_customer=reply.from_customer,
            mine=reply.author_id is not None and reply.author_id == reader.pk,
            created_at=reply.created_at,
            body=reply.body,
        )
        for reply in replies
    ]
