"""Writes to tickets: one function per user intent, for every door (pages, admin, demo data).

- ``ticket_create``: open a ticket under the right contract, following its plan's SLA while the
  cycle has credits left;
- ``ticket_raise``: a customer raises a ticket for their account in the help centre; it follows
  its contract exactly as ``ticket_create``'s do (one private function opens both);
- ``ticket_update``: change any of its status, priority, assignee, contract and text at once,
  as one change with one history row.

The conversation (replies and private notes) is ``tickets.conversation``.

Both take the acting user (``by``), check the permission and the department wall themselves, and
lock what they read before they write (README, "Locks": ticket, then contract, then account).
Credits are not touched here: saving a status change fires the contracts app's receiver, which
spends or refunds through ``contracts.credits`` in the same transaction.
"""

from __future__ import annotations

import datetime
import enum
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts import credits
from contracts.locks import lock_contract
from contracts.models import Contract, CreditEntry
from customers.selectors import contact_for_user
from desk.access import require_department, require_permission
from desk.choices import Priority, Status
from desk.models import Department
from desk.signals import send_record_changed
from sla import clock
from sla import selectors as sla_selectors

from .locks import lock_ticket
from .models import Ticket

if TYPE_CHECKING:
    from customers.models import Account, Contact
    from sla.models import SLA

logger = logging.getLogger(__name__)

CONTRACT_NOT_OFFERED = _("Choose one of the account's active contracts in this department.")
CONTRACT_HOLDS_CREDIT = _(
    "This ticket's credit was spent on its contract, so the contract can no longer change. "
    "Reopen the ticket first (its credit is refunded), then change the contract."
)
CONTACT_OTHER_ACCOUNT = _("Choose a contact of the ticket's account.")
ASSIGNEE_NOT_IN_DEPARTMENT = _("Choose an active member of the ticket's department.")
STATUS_INVALID = _("Choose a valid status.")
PRIORITY_INVALID = _("Choose a valid priority.")
SUBJECT_EMPTY = _("Enter a subject.")
# The help centre (``ticket_raise``).
NOT_A_CUSTOMER = _("Only a customer signed in to the help centre raises tickets here.")
CONTRACT_NOT_FOUND = _("No such contract.")
CONTRACT_NOT_OFFERED_TO_CUSTOMER = _("Choose one of your account's active contracts.")
NO_DEPARTMENT = _("The help centre cannot take tickets yet: no department works them.")
# The longest text a customer may send (a description here, a reply in the conversation).
TEXT_MAX = 20_000
TEXT_TOO_LONG = _("Write at most %(limit)s characters (this text has %(length)s).")
LEDGER_NO_DELETE = _(
    "This ticket has credit entries, which the ledger keeps, so it cannot be deleted. Close it "
    "instead."
)


class Unset(enum.Enum):
    """A field ``ticket_update`` leaves as it is (``None`` is a value: nobody, no contract)."""

    UNSET = "unset"


UNSET = Unset.UNSET


def assignable_users(department: Department):
    """Who may be given a department's tickets: its active members."""
    return department.members.filter(is_active=True).order_by("first_name", "last_name", "username")


def contracts_offered(*, account: Account | None, department: Department | None, day):
    """The account's contracts a ticket in ``department`` may follow on ``day``."""
    if account is None or department is None or not department.contracts_enabled:
        return Contract.objects.none()
    return (
        Contract.objects.active_on(day)
        .filter(account=account, support_plan__department=department)
        .select_related("support_plan", "support_plan__sla")
        .order_by("start_date", "pk")
    )


def contracts_offered_to_account(*, account: Account, day):
    """The account's contracts a ticket may follow on ``day``, in any department where the
    Contracts module is on: what a customer's new ticket chooses from (``ticket_raise``)."""
    return (
        Contract.objects.active_on(day)
        .filter(account=account, support_plan__department__contracts_enabled=True)
        .select_related("support_plan", "support_plan__sla", "support_plan__department")
        .order_by("start_date", "pk")
    )


def contract_for(*, account: Account, department: Department, product_name: str, day):
    """The contract a new ticket follows: the active one for its product, else the only one."""
    return _contract_among(
        contracts_offered(account=account, department=department, day=day), product_name
    )


def _contract_among(offered: Iterable[Contract], product_name: str) -> Contract | None:
    """Of the contracts ``offered``, the one for ``product_name``, else the only one, else none."""
    offered = list(offered)
    product = (product_name or "").strip().casefold()
    if product:
        for contract in offered:
            if contract.product_name.strip().casefold() == product:
                return contract
    return offered[0] if len(offered) == 1 else None


def _sla_under(
    contract: Contract | None, day: datetime.date, *, department: Department
) -> tuple[SLA | None, str]:
    """Which SLA a ticket of ``department`` under ``contract`` follows from ``day`` (SPEC
    section 4), and why not its plan's: the plan's SLA while the cycle has credits left (always
    for unlimited plans); otherwise the department's default SLA, if any; otherwise none. The
    exemption records that the credits were used up, so that the ticket spends none. The caller
    holds the contract's lock, so the balance read here holds."""
    if contract is None:
        return sla_selectors.sla_default_for(department), Ticket.SlaExemption.NONE
    summary = credits.summary_for(contract, day)
    if summary is not None and summary.is_used_up:
        return sla_selectors.sla_default_for(department), Ticket.SlaExemption.CREDITS_USED_UP
    return contract.support_plan.sla, Ticket.SlaExemption.NONE


def _offered_contract(contract: Contract, *, account, department, day) -> Contract:
    """``contract``, locked, if a ticket of ``account`` in ``department`` may follow it."""
    contract = lock_contract(contract.pk)
    offered = contracts_offered(account=account, department=department, day=day)
    if not offered.filter(pk=contract.pk).exists():
        raise ValidationError({"contract": CONTRACT_NOT_OFFERED})
    return contract


@transaction.atomic
def ticket_create(
    *,
    by: Any,
    subject: str,
    account: Account,
    department: Department,
    priority: str = Priority.MEDIUM,
    description: str = "",
    contact: Contact | None = None,
    product_name: str = "",
    contract: Contract | None = None,
) -> Ticket:
    """Open a ticket under the right contract, following its plan's SLA while credits are left."""
    require_permission(by, "tickets.add_ticket")
    require_department(by, department, field="department")
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": CONTACT_OTHER_ACCOUNT})
    if priority not in Priority.values:
        raise ValidationError({"priority": PRIORITY_INVALID})
    subject, description = _checked_text(subject, description)
    return _open_ticket(
        by=by,
        subject=subject,
        description=description,
        account=account,
        contact=contact,
        department=department,
        priority=priority,
        product_name=product_name,
        contract=contract,
    )


@transaction.atomic
def ticket_raise(
    *,
    by: Any,
    subject: str,
    description: str = "",
    product_name: str = "",
    contract: Contract | None = None,
) -> Ticket:
    """A customer raises a ticket for their account in the help centre (SPEC section 9).

    ``by`` is a customer (a user with a contact; anyone else: ``PermissionDenied``); their contact
    is the ticket's contact, their account its account, at medium priority. It follows its
    contract exactly as a ticket an agent opens (``_open_ticket``): the contract given, else the
    account's active contract for ``product_name``, else its only active one; the plan's SLA
    while the cycle has credits left. The department is the contract's plan's; without a
    contract, the help centre's department (``help_centre_department``). Another account's
    contract is refused as a missing one (``Http404``): its existence is not the customer's to
    know.
    """
    contact = contact_for_user(by)
    if contact is None:
        raise PermissionDenied(NOT_A_CUSTOMER)
    account = contact.account
    if contract is not None and contract.account_id != account.pk:
        raise Http404(CONTRACT_NOT_FOUND)
    subject, description = _checked_text(subject, description)
    today = timezone.localdate()
    if contract is None:
        contract = _contract_among(
            contracts_offered_to_account(account=account, day=today), product_name
        )
    department = contract.support_plan.department if contract else help_centre_department()
    if department is None:
        raise ValidationError(NO_DEPARTMENT)
    try:
        return _open_ticket(
            by=by,
            subject=subject,
            description=description,
            account=account,
            contact=contact,
            department=department,
            priority=Priority.MEDIUM,
            product_name=product_name,
            contract=contract,
        )
    except ValidationError as error:
        if hasattr(error, "error_dict") and "contract" in error.error_dict:
            raise ValidationError({"contract": CONTRACT_NOT_OFFERED_TO_CUSTOMER}) from error
        raise


def help_centre_department() -> Department | None:
    """The department that works the help centre's tickets that follow no contract: the one
    named by the ``HELP_CENTRE_DEPARTMENT`` setting, else the desk's first (oldest) department."""
    departments = Department.objects.order_by("pk")
    name = settings.HELP_CENTRE_DEPARTMENT
    if name:
        named = departments.filter(name=name).first()
        if named is not None:
            return named
        logger.warning("HELP_CENTRE_DEPARTMENT names no department (%r): using the first", name)
    return departments.first()


def _checked_text(subject: str, description: str) -> tuple[str, str]:
    """A new ticket's subject and description, stripped; refused when the subject is empty or the
    description longer than ``TEXT_MAX`` (whoever opens it: an agent, the API, a customer)."""
    subject = (subject or "").strip()
    description = (description or "").strip()
    errors: dict[str, Any] = {}
    if not subject:
        errors["subject"] = SUBJECT_EMPTY
    if len(description) > TEXT_MAX:
        errors["description"] = text_too_long(description)
    if errors:
        raise ValidationError(errors)
    return subject, description


def text_too_long(text: str) -> ValidationError:
    """The refusal of a customer's or a reply's text longer than ``TEXT_MAX``."""
    return ValidationError(
        TEXT_TOO_LONG, code="max_length", params={"limit": TEXT_MAX, "length": len(text)}
    )


def _open_ticket(
    *,
    by: Any,
    subject: str,
    description: str,
    account: Account,
    contact: Contact | None,
    department: Department,
    priority: str,
    product_name: str,
    contract: Contract | None,
) -> Ticket:
    """Open a ticket (the caller checked who may, and the contact and priority): under the
    contract given, else ``contract_for``; locked, and refused unless offered; following the SLA
    its credits allow (``_sla_under``), with its due times from now. The one home of what
    ``ticket_create`` and ``ticket_raise`` share."""
    now = timezone.now()
    today = timezone.localdate(now)
    if contract is None:
        contract = contract_for(
            account=account, department=department, product_name=product_name, day=today
        )
    if contract is not None:
        contract = _offered_contract(contract, account=account, department=department, day=today)
    sla, exemption = _sla_under(contract, today, department=department)
    response_due, resolution_due = clock.due_times(sla=sla, priority=priority, start=now)
    ticket = Ticket(
        subject=(subject or "").strip(),
        description=description,
        account=account,
        contact=contact,
        department=department,
        priority=priority,
        product_name=product_name,
        contract=contract,
        sla=sla,
        sla_exemption=exemption,
        response_due_at=response_due,
        resolution_due_at=resolution_due,
        status_changed_at=now,
        created_by=by,
    )
    ticket.full_clean()
    ticket._history_user = by  # type: ignore[attr-defined]  # simple_history's "who"
    ticket.save()
    send_record_changed(ticket, by=by, created=True)
    return ticket


@transaction.atomic
def ticket_update(
    *,
    by: Any,
    ticket: Ticket,
    status: str | Unset = UNSET,
    priority: str | Unset = UNSET,
    assignee: Any | None | Unset = UNSET,
    contract: Contract | None | Unset = UNSET,
    subject: str | Unset = UNSET,
    description: str | Unset = UNSET,
    contact: Contact | None | Unset = UNSET,
    product_name: str | Unset = UNSET,
    at: datetime.datetime | None = None,
    reason: str = "",
) -> Ticket:
    """Change what ``by`` asked to change, on the ticket as it is now, as one change.

    Only the fields given are written: a field left ``UNSET`` keeps whatever another person saved
    meanwhile. All the changes are checked before any is made; a refusal raises
    ``ValidationError`` with each field's message and leaves the ticket as it was. A new contract
    re-decides the SLA; a new contract or priority recomputes the due times; a new status pauses
    or resumes the SLA clock (and, through the credit receiver, spends or refunds a credit).
    ``reason``: why, for the history (a workflow rule's change names the rule).
    """
    require_permission(by, "tickets.change_ticket")
    ticket = lock_ticket(ticket.pk)
    require_department(by, ticket.department)
    before = _stored(ticket)
    at = at or timezone.now()
    errors: dict[str, Any] = {}

    if subject is not UNSET:
        ticket.subject = (subject or "").strip()
        if not ticket.subject:
            errors["subject"] = SUBJECT_EMPTY
    if description is not UNSET:
        ticket.description = description or ""
    if product_name is not UNSET:
        ticket.product_name = product_name or ""
    if contact is not UNSET:
        if contact is not None and contact.account_id != ticket.account_id:
            errors["contact"] = CONTACT_OTHER_ACCOUNT
        ticket.contact = contact

    recompute = False
    if contract is not UNSET and (contract.pk if contract else None) != ticket.contract_id:
        try:
            _move_to_contract(ticket, contract, day=timezone.localdate(at))
            recompute = True
        except ValidationError as error:
            errors.update(error.message_dict)
    if priority is not UNSET and priority != ticket.priority:
        if priority not in Priority.values:
            errors["priority"] = PRIORITY_INVALID
        ticket.priority = priority
        recompute = True
    if assignee is not UNSET and (assignee.pk if assignee else None) != ticket.assignee_id:
        if (
            assignee is not None
            and not assignable_users(ticket.department).filter(pk=assignee.pk).exists()
        ):
            errors["assignee"] = ASSIGNEE_NOT_IN_DEPARTMENT
        ticket.assignee = assignee
        ticket.assigned_at = at if assignee is not None else None
    if errors:
        raise ValidationError(errors)

    if recompute:
        clock.recompute_due_times(ticket=ticket)
    if status is not UNSET and status != ticket.status:
        if status not in Status.values:
            raise ValidationError({"status": STATUS_INVALID})
        _move_to_status(ticket, status, at=at)
    after = _stored(ticket)
    if after == before:
        return ticket  # nothing changed: no save, no history row
    # The model's checks of the fields this change wrote (the rest were checked when written):
    # each foreign key checked costs a query. Not its check constraints: they hold the status
    # and the priority to their choices, checked above with their messages; Django would ask
    # the database again (a savepoint, a query and its release: 3 round trips of a resolve's
    # 18), and the constraints stay its backstop.
    unchanged = [
        f.name for f in Ticket._meta.concrete_fields if after[f.attname] == before[f.attname]
    ]
    ticket.full_clean(exclude=unchanged, validate_unique=False, validate_constraints=False)
    ticket._history_user = by  # type: ignore[attr-defined]  # simple_history's "who"
    if reason:
        ticket._change_reason = reason  # type: ignore[attr-defined]
    changed = changed_fields(before, after)
    # Only the columns this change wrote (and the save's own: ``Ticket.save``), not the row's
    # long texts again.
    ticket.save(update_fields=[*changed, "updated_at"])
    send_record_changed(ticket, by=by, changed=changed)
    return ticket


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    """The names of the ticket's fields that differ between two ``_stored`` snapshots."""
    return {
        field.name
        for field in Ticket._meta.concrete_fields
        if before[field.attname] != after[field.attname] and field.name != "updated_at"
    }


@transaction.atomic
def ticket_delete(*, by: Any, ticket: Ticket) -> None:
    """Delete a ticket the credit ledger does not refer to (spam, a duplicate)."""
    require_permission(by, "tickets.delete_ticket")
    ticket = lock_ticket(ticket.pk)
    require_department(by, ticket.department)
    if has_ledger_entries(ticket):
        raise ValidationError(LEDGER_NO_DELETE, code="protected")
    ticket._history_user = by  # type: ignore[attr-defined]
    try:
        ticket.delete()
    except ProtectedError as error:
        raise ValidationError(LEDGER_NO_DELETE, code="protected") from error


def has_ledger_entries(ticket: Ticket) -> bool:
    return CreditEntry.objects.filter(ticket_id=ticket.pk).exists()


def _stored(ticket: Ticket) -> dict[str, Any]:
    return {field.attname: getattr(ticket, field.attname) for field in Ticket._meta.concrete_fields}


def _move_to_contract(ticket: Ticket, contract: Contract | None, *, day: datetime.date) -> None:
    """Put ``ticket`` (locked) under ``contract`` and re-decide its SLA (SPEC section 6): only
    while it holds no spent credit, and only to one of its account's active contracts in its
    department."""
    if credits.holds_credit(ticket):
        raise ValidationError({"contract": CONTRACT_HOLDS_CREDIT})
    if contract is not None:
        contract = _offered_contract(
            contract, account=ticket.account, department=ticket.department, day=day
        )
    ticket.contract = contract
    ticket.sla, ticket.sla_exemption = _sla_under(contract, day, department=ticket.department)


def _move_to_status(ticket: Ticket, status: str, *, at: datetime.datetime) -> None:
    """Set ``status`` on ``ticket`` (locked), pausing or resuming its SLA clock."""
    was_on_hold = ticket.is_on_hold
    if ticket.is_resolved and status not in Status.resolved_kinds():
        ticket.reopened_at = at
    ticket.status = status
    ticket.status_changed_at = at
    # A status change is no response (SPEC section 9): the first public reply of an agent is
    # (``tickets.conversation.reply_add``). Resolving a ticket nobody answered stops its clock
    # and leaves ``first_responded_at`` empty.
    if ticket.is_on_hold and not was_on_hold:
        ticket.on_hold_since = at
    elif was_on_hold and not ticket.is_on_hold and ticket.on_hold_since:
        minutes = clock.paused_minutes(sla=ticket.sla, start=ticket.on_hold_since, end=at)
        ticket.sla_paused_minutes += minutes
        if not ticket.first_responded_at:
            ticket.response_due_at = clock.shift(
                sla=ticket.sla, due=ticket.response_due_at, minutes=minutes
            )
        ticket.resolution_due_at = clock.shift(
            sla=ticket.sla, due=ticket.resolution_due_at, minutes=minutes
        )
        ticket.on_hold_since = None
