"""A ticket's conversation (SPEC section 9): public replies between the agents and the customer,
and private notes that only staff ever see. One door for every reply: the agent's ticket page,
the help centre, the back office and the API all call ``reply_add``.

The rules a reply carries:

- the first public reply of an agent is the ticket's first response (``first_responded_at``:
  the response target is met then); a private note is none, nor is a status change;
- a customer's reply on a ticket waiting on the customer sets it back to Open; on a resolved
  ticket it reopens it, which refunds its credit (the ticket's save fires the credit receiver,
  as ``ticket_update``'s does, naming the customer to the ledger);
- a closed ticket takes no public reply: the customer raises a new ticket; an agent reopens it
  first (or adds a private note, which a closed ticket still takes);
- every reply is a row in the ticket's history ("Replied to the customer", "Added a private
  note", "The customer replied") with the status change it caused; never its text;
- an agent's public reply emails the ticket's contact, a customer's reply the ticket's assignee
  (unassigned: the department's agents), each in the reader's language and time zone, queued
  in the reply's transaction; a private note emails nobody.

Who may reply: staff holding ``tickets.change_ticket`` in the ticket's department (else
``PermissionDenied``, as ``ticket_update``); a customer (``customers.selectors.contact_for_user``)
on a ticket of ``tickets.selectors.tickets_of_contact`` only, else ``Http404``: a ticket the
customer may not see is refused exactly as a missing one, whatever the door.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from customers.models import Contact
from customers.selectors import contact_for_user
from desk import mail
from desk.access import NOT_PERMITTED, require_department, require_permission
from desk.choices import Status
from desk.people import person_name
from desk.signals import send_record_changed

from .locks import lock_ticket
from .models import Reply, Ticket
from .selectors import contact_sees_ticket
from .services import STATUS_INVALID, TEXT_MAX, _move_to_status, assignable_users, text_too_long

REPLY_EMPTY = _("Write something first: the text is empty.")
REPLY_NUL = _("The text holds a NUL character, which cannot be stored: remove it.")
TICKET_CLOSED = _("This ticket is closed: raise a new ticket.")
TICKET_CLOSED_FOR_AGENTS = _(
    "This ticket is closed: reopen it to reply to the customer, or add a private note."
)
TICKET_NOT_FOUND = _("No such ticket.")
CUSTOMER_NOTE_REFUSED = _("Customers write public replies only.")

# What each reply says in the ticket's history, stored in English (simple_history keeps the
# text) and shown in each reader's language (``desk.history.TRANSLATED_REASONS``).
REPLIED = gettext_noop("Replied to the customer")
NOTE_ADDED = gettext_noop("Added a private note")
CUSTOMER_REPLIED = gettext_noop("The customer replied")

# The statuses a customer's reply moves the ticket out of, back to Open.
REOPENED_BY_CUSTOMER = frozenset({Status.WAITING_ON_CUSTOMER, Status.RESOLVED})


@transaction.atomic
def reply_add(
    *,
    by: Any,
    ticket: Ticket,
    body: str,
    public: bool = True,
    status: str | None = None,
) -> Reply:
    """Add ``by``'s reply (``public``) or private note to ``ticket``, and what it entails.

    ``status`` (staff only): the status the agent sets with the reply, as one change with one
    history row. Refusals: ``Http404`` (a customer's reply on a ticket not theirs),
    ``PermissionDenied`` (staff without the permission or the department; a customer's private
    note or status), ``ValidationError`` (a closed ticket, an empty or over-long text, an unknown
    status). A refused reply saves nothing and emails nobody.
    """
    contact = contact_for_user(by)
    if contact is None:
        require_permission(by, "tickets.change_ticket")
    ticket = lock_ticket(ticket.pk, with_assignee=True)
    if contact is not None:
        if not contact_sees_ticket(contact, ticket):
            raise Http404(TICKET_NOT_FOUND)
        if not public or status is not None:
            raise PermissionDenied(CUSTOMER_NOTE_REFUSED if not public else NOT_PERMITTED)
    else:
        require_department(by, ticket.department)
    if status is not None and status not in Status.values:
        raise ValidationError({"status": STATUS_INVALID})
    if public and ticket.status == Status.CLOSED and status in (None, Status.CLOSED):
        raise ValidationError(TICKET_CLOSED if contact is not None else TICKET_CLOSED_FOR_AGENTS)
    text = _checked_text(body)

    reply = Reply(
        ticket=ticket, author=by, from_customer=contact is not None, is_public=public, body=text
    )
    reply.full_clean(exclude=["ticket", "author"])  # both in hand: no query to check them
    reply.save()
    now = reply.created_at
    was = ticket.status
    if contact is not None:
        reason = CUSTOMER_REPLIED
        ticket.last_customer_reply_at = now
        if ticket.status in REOPENED_BY_CUSTOMER:
            _move_to_status(ticket, Status.OPEN, at=now)
    else:
        reason = REPLIED if public else NOTE_ADDED
        if public:
            ticket.last_agent_reply_at = now
        if public and ticket.first_responded_at is None:
            ticket.first_responded_at = now
        if status is not None and status != ticket.status:
            _move_to_status(ticket, status, at=now)
    # One history row, naming the replier; the status's receiver spends or refunds the credit.
    ticket._history_user = by  # type: ignore[attr-defined]
    ticket._change_reason = reason  # type: ignore[attr-defined]
    ticket.save()
    if public or ticket.status != was:
        send_record_changed(
            ticket,
            by=by,
            changed={"status"} if ticket.status != was else set(),
            reply=("customer" if contact is not None else "agent") if public else None,
        )

    # Queued in this transaction: a reply rolled back takes its emails with it. A private note
    # is for the desk's eyes: nobody is emailed.
    if contact is not None:
        mail.queue(_to_the_agents(ticket, reply, contact=contact, was=was))
    elif public:
        mail.queue(_to_the_customer(ticket, reply))
    return reply


def _checked_text(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": REPLY_EMPTY})
    if len(text) > TEXT_MAX:
        raise ValidationError({"body": text_too_long(text)})
    if "\x00" in text:
        raise ValidationError({"body": REPLY_NUL})
    return text


# --- emails --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _ContactReader:
    """A contact as ``desk.mail.messages_for`` reads its readers: an address, and the language
    and time zone their help-centre user chose (``preferences``; None: the desk's defaults)."""

    email: str
    preferences: Any = None
    is_active: bool = True


def _reader(contact: Contact) -> _ContactReader:
    preferences = None
    if contact.user is not None:
        try:
            preferences = contact.user.preferences
        except ObjectDoesNotExist:
            preferences = None
    return _ContactReader(email=contact.email, preferences=preferences)


def _subject(ticket: Ticket) -> str:
    names = {"pk": ticket.pk, "subject": " ".join(ticket.subject.split())}
    return _("Re: [#%(pk)s] %(subject)s") % names


def _when(reply: Reply) -> str:
    return formats.date_format(timezone.localtime(reply.created_at), "DATETIME_FORMAT")


def _to_the_customer(ticket: Ticket, reply: Reply) -> list[mail.Message]:
    """An agent's public reply, to the ticket's contact (if it has an address), with a link to
    the ticket in the help centre when the contact can sign in there."""
    contact = ticket.contact
    if contact is None or not contact.email:
        return []
    signs_in = contact.user is not None and contact.user.is_active
    link = settings.DESK_URL.rstrip("/") + reverse("helpcentre:ticket_detail", args=[ticket.pk])

    def compose() -> tuple[str, str]:
        names = {
            "name": person_name(reply.author),
            "pk": ticket.pk,
            "subject": ticket.subject,
            "when": _when(reply),
        }
        body = _("%(name)s replied to your ticket #%(pk)s “%(subject)s” on %(when)s:") % names
        body += "\n\n" + reply.body + "\n\n"
        body += _("The ticket's status: %(status)s.") % {"status": Status(ticket.status).label}
        if signs_in:
            body += "\n\n" + _("See the ticket and reply in the help centre: %(url)s") % {
                "url": link
            }
        return _subject(ticket), body

    return mail.messages_for([_reader(contact)], compose)


def agents_told_of_customer_replies(ticket: Ticket):
    """Who hears of a customer's reply: the ticket's assignee; when nobody has it (or its
    assignee left), the department's active members who may answer (``change_ticket``), so
    that the reply never waits unseen."""
    if ticket.assignee is not None and ticket.assignee.is_active:
        return [ticket.assignee]
    change_ticket = Permission.objects.filter(
        content_type__app_label="tickets", codename="change_ticket"
    )
    may_answer = (
        Q(is_superuser=True)
        | Q(groups__permissions__in=change_ticket)
        | Q(user_permissions__in=change_ticket)
    )
    members = assignable_users(ticket.department)
    return list(
        members.filter(pk__in=members.filter(may_answer).values("pk")).select_related("preferences")
    )


def _to_the_agents(
    ticket: Ticket, reply: Reply, *, contact: Contact, was: str
) -> list[mail.Message]:
    """A customer's reply, to the agents who answer it, with a link to the staff ticket page."""

    def compose() -> tuple[str, str]:
        names = {
            "name": str(contact),
            "account": contact.account.name,
            "pk": ticket.pk,
            "subject": ticket.subject,
            "when": _when(reply),
        }
        body = (
            _("%(name)s (%(account)s) replied on ticket #%(pk)s “%(subject)s” on %(when)s:") % names
        )
        body += "\n\n" + reply.body
        if was == Status.RESOLVED:
            body += "\n\n" + _("The ticket was resolved: the reply reopened it.")
        elif was == Status.WAITING_ON_CUSTOMER:
            body += "\n\n" + _("The ticket was waiting on the customer: it is open again.")
        body += "\n\n" + _("Open the ticket: %(url)s") % {"url": mail.link_to(ticket)}
        return _subject(ticket), body

    return mail.messages_for(agents_told_of_customer_replies(ticket), compose)
