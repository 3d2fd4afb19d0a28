from __future__ import annotations

import datetime
import operator
import re
from functools import reduce
from typing import TYPE_CHECKING

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection
from django.db.models import Case, Expression, F, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from contracts import credits
from contracts.models import Contract, CreditEntry
from customers.selectors import account_contacts
from desk.choices import Status
from desk.filters import as_id
from desk.history import history_entries
from desk.selectors import department_ids, department_list
from sla.clock import SlaState, state_condition

from .models import Reply, Ticket
from .services import contracts_offered

if TYPE_CHECKING:
    from customers.models import Account, Contact
    from desk.models import Department


TICKET_LIST_JOINS = ("account", "department", "assignee", "sla")


def ticket_list(user):
    return Ticket.objects.visible_to(user).select_related(*TICKET_LIST_JOINS)


# The columns a page's rows of tickets show (the ticket list, the search page): a page of 50
# tickets with every column of the ticket and its four joins took 4.1 ms to read and build, with
# these 2.0 ms. The API serializes whole tickets and reads ``ticket_list``.
TICKET_ROW_FIELDS = (
    *("subject", "priority", "status", "sla_exemption", "resolution_due_at", "contract_id"),
    *("account__name", "department__name", "sla__name"),
    *("assignee__username", "assignee__first_name", "assignee__last_name"),
)


def ticket_rows(user):
    """``ticket_list`` for a page of rows: only the columns the rows show."""
    return ticket_list(user).only(*TICKET_ROW_FIELDS)


def ticket_rows_by_id(ids) -> QuerySet[Ticket]:
    """A page of ``ticket_rows`` by the ids the list's walls and filters found
    (``desk.pagination.IdFirstPaginator``)."""
    return (
        Ticket.objects.select_related(*TICKET_LIST_JOINS)
        .only(*TICKET_ROW_FIELDS)
        .filter(pk__in=ids)
    )


def ticket_detail_queryset(user):
    return Ticket.objects.visible_to(user).select_related(
        "account", "contact", "department", "assignee", "sla"
    )


# --- the conversation and the customer's walls (SPEC section 9) --------------------------------


def ticket_conversation(ticket: Ticket, *, public_only: bool) -> QuerySet[Reply]:
    """The ticket's replies, oldest first, with their authors (one query). ``public_only``: the
    customer's view, which never holds a private note."""
    replies = Reply.objects.filter(ticket_id=ticket.pk).select_related("author")
    if public_only:
        replies = replies.filter(is_public=True)
    return replies.order_by("created_at", "pk")


def tickets_of_contact(contact: Contact) -> QuerySet[Ticket]:
    """The tickets a customer sees in the help centre: their own (they are its contact) or, for
    the account's administrator, every ticket of their account."""
    tickets = Ticket.objects.filter(account_id=contact.account_id)
    if not contact.is_account_admin:
        tickets = tickets.filter(contact_id=contact.pk)
    return tickets


def contact_sees_ticket(contact: Contact, ticket: Ticket) -> bool:
    """``tickets_of_contact`` for one ticket in hand (no query)."""
    if ticket.account_id != contact.account_id:
        return False
    return contact.is_account_admin or ticket.contact_id == contact.pk


# The home page counts each figure up to this many, and shows "100+" past it: a bounded read,
# however many tickets the desk has gathered.
HOME_COUNT_CAP = 100


def ticket_home_figures(user, now: datetime.datetime) -> dict[str, int]:
    """The home page's ticket figures, among the tickets the user sees: their own unresolved
    tickets, and those overdue or due within the hour (``sla.clock``), each counted up to one
    past ``HOME_COUNT_CAP``: a query each, that stops there. (One grouped count of the three
    read every ticket the user sees: 81 ms at 100,000 tickets, 437 ms at a million.) The
    unresolved tickets of an assignee and the running ones have indexes of their own."""
    tickets = Ticket.objects.visible_to(user).order_by()

    def capped(queryset) -> int:
        return queryset.values("pk")[: HOME_COUNT_CAP + 1].count()

    return {
        "mine": capped(tickets.filter(assignee=user).exclude(status__in=Status.resolved_kinds())),
        "overdue": capped(tickets.filter(state_condition(SlaState.OVERDUE, now))),
        "due_soon": capped(tickets.filter(state_condition(SlaState.DUE_SOON, now))),
    }


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
            hidden=TIMESTAMPS,
        ),
    }


# When things last happened: bookkeeping for time-based rules that says nothing the history's
# rows do not (a status change, a reply, a new assignee).
TIMESTAMPS = (
    "status_changed_at",
    "assigned_at",
    "reopened_at",
    "last_customer_reply_at",
    "last_agent_reply_at",
)


def account_recent_tickets(user, account, limit: int = 20):
    return (
        Ticket.objects.visible_to(user)
        .filter(account=account)
        .select_related("department")
        .order_by("-created_at", "-pk")[:limit]
    )


CONTRACT_LABEL_FIELDS = ("name", "contract_number", "product_name")


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


# --- search (issue 16) ----------------------------------------------------------------------

# How many matching tickets are ranked: the newest 200, most relevant first (8 pages of 25).
# A word found in half of the desk's tickets ranks the newest 200, not half of the desk.
SEARCH_WINDOW = 200

# Scripts written without spaces (Chinese, Japanese kana). Must stay the class of the
# ``tickets_search_document`` function made by migration ``tickets.0005_search``, which the
# trigger of ``tickets.0010`` calls to write each ticket's document.
CJK = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
_CJK_RUN = re.compile(f"({CJK}+)")


def ticket_number_searched(q: str) -> int | None:
    """The ticket number a search names, typed as ``#123`` or ``123``."""
    return as_id(q.strip().removeprefix("#"))


def _search_document() -> RawSQL:
    """A ticket's subject (weight A) and description (weight B) as the search index holds them:
    the column ``search_document``, which only PostgreSQL has and Django does not know (so that
    no other query reads it), written by a trigger (migration ``tickets.0010``)."""
    return RawSQL('"tickets_ticket"."search_document"', [], output_field=SearchVectorField())


def _cjk_query(run: str) -> str:
    """The raw query for a run of CJK characters, as the document writes such runs: its pairs of
    characters, all of them; one character: any pair (or last character) starting with it.
    Built from CJK characters only, which are no query syntax."""
    if len(run) == 1:
        return f"{run}:*"
    return " & ".join(dict.fromkeys(run[i : i + 2] for i in range(len(run) - 1)))


def _search_query(text: str):
    """What ``text`` asks of the ticket documents (PostgreSQL): all its words (plainto_tsquery:
    no operators, no phrases, whose check would rebuild each candidate's document), and each run
    of CJK characters as its pairs."""
    parts = []
    words = _CJK_RUN.sub(" ", text).strip()
    if words:
        parts.append(SearchQuery(words, config="simple", search_type="plain"))
    parts += [
        SearchQuery(_cjk_query(run), config="simple", search_type="raw")
        for run in _CJK_RUN.findall(text)
    ]
    return reduce(operator.and_, parts)


def ticket_search(user, q: str) -> QuerySet[Ticket]:
    """The tickets the user sees (the ticket list's walls) that ``q`` finds, best first.

    ``q`` is a ticket number (``#123`` or ``123``: that ticket comes first) and words of the
    subject or description. Of the matches, the newest ``SEARCH_WINDOW`` are ranked:

    - PostgreSQL: full-text search through the ``ticket_search_idx`` index (Chinese and
      Japanese by pairs of characters, so that any part of a word is found), ranked by
      ``ts_rank``, subject words weighing more than description words;
    - elsewhere (SQLite): every word in the subject or the description (any part of a word);
      tickets with every word in the subject first.

    Two queries: the window's ids are read here (on PostgreSQL, through the full-text index);
    the query returned ranks only them. (As one query with a subquery, PostgreSQL chose to rank
    every ticket of the desk for a word found in a third of them: 2.8 s.) Newest first among
    equals.
    """
    text = (q or "").strip()
    number = ticket_number_searched(text)
    if number is not None:
        text = text.removeprefix("#").strip()
    tickets = ticket_rows(user)
    if not text:
        return tickets.none()
    matching = tickets
    relevance: Expression
    if connection.vendor == "postgresql":
        query = _search_query(text)
        matching = tickets.alias(search_document=_search_document())
        found = Q(search_document=query)
        relevance = SearchRank(_search_document(), query)
    else:
        words = _CJK_RUN.sub(r" \1 ", text).split()  # "VPN断开": "VPN" and "断开"
        found = reduce(
            operator.and_, (Q(subject__icontains=w) | Q(description__icontains=w) for w in words)
        )
        in_subject = reduce(operator.and_, (Q(subject__icontains=w) for w in words))
        relevance = Case(When(in_subject, then=Value(1)), default=Value(0))
    first = []
    if number is not None:
        found |= Q(pk=number)  # read from the primary key, beside the full-text index
        first.append(Case(When(pk=number, then=Value(0)), default=Value(1)))
    # Newest first: PostgreSQL walks the tickets newest first testing each stored document, for
    # a word in many of them, and stops at the window; it reads a rare word's few matches from
    # the full-text index and sorts them. An agent's departments, written out beside the wall,
    # let it walk their own newest tickets (``ticket_dept_created_idx``) for a word in a few
    # percent of the desk: its window 183 → 87 ms at a million tickets (9,000 rows read).
    departments = department_ids(user)
    if departments is not None:
        matching = matching.filter(department_id__in=departments)
    window = list(
        matching.filter(found)
        .order_by(*first, "-created_at", "-pk")
        .values_list("pk", flat=True)[:SEARCH_WINDOW]
    )
    return (
        tickets.filter(pk__in=window)
        .annotate(search_rank=relevance)
        .order_by(*first, F("search_rank").desc(), "-created_at", "-pk")
    )
