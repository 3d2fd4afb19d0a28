"""Writes to tickets: creation (which contract, which SLA, when due), status changes and
assignment.

Credits are not touched here: saving a status change fires the contracts app's receiver, which
spends or refunds through ``contracts.credits`` (the same for pages, the admin and code).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts import credits
from contracts.models import Contract
from sla import services as sla_services

from .choices import Priority, Status
from .models import Ticket

CONTRACT_NOT_OFFERED = _("Choose one of the account's active contracts in this department.")
CONTACT_OTHER_ACCOUNT = _("Choose a contact of the ticket's account.")
ASSIGNEE_NOT_IN_DEPARTMENT = _("Choose an active member of the ticket's department.")


def assignable_users(department):
    """Who may be given a department's tickets: its active members."""
    return department.members.filter(is_active=True).order_by("first_name", "last_name", "username")


def contracts_offered(*, account, department, day: datetime.date):
    """The account's contracts a new ticket in ``department`` may follow on ``day``."""
    if account is None or department is None or not department.contracts_enabled:
        return Contract.objects.none()
    return (
        Contract.objects.active_on(day)
        .filter(account=account, support_plan__department=department)
        .select_related("support_plan", "support_plan__sla")
        .order_by("start_date", "pk")
    )


def contract_for(*, account, department, product_name: str, day: datetime.date):
    """The contract a new ticket follows: the active one for its product, else the only one."""
    offered = list(contracts_offered(account=account, department=department, day=day))
    product = (product_name or "").strip().casefold()
    if product:
        for contract in offered:
            if contract.product_name.strip().casefold() == product:
                return contract
    return offered[0] if len(offered) == 1 else None


@transaction.atomic
def ticket_create(
    *,
    by,
    subject: str,
    account,
    department,
    priority: str,
    description: str = "",
    contact=None,
    product_name: str = "",
    contract: Contract | None = None,
) -> Ticket:
    """Open a ticket under the right contract, following its plan's SLA while credits are left."""
    now = timezone.now()
    today = timezone.localdate(now)
    if contract is None:
        contract = contract_for(
            account=account, department=department, product_name=product_name, day=today
        )
    elif (
        not contracts_offered(account=account, department=department, day=today)
        .filter(pk=contract.pk)
        .exists()
    ):
        raise ValidationError({"contract": CONTRACT_NOT_OFFERED})
    if contact is not None and contact.account_id != account.pk:
        raise ValidationError({"contact": CONTACT_OTHER_ACCOUNT})

    sla, exemption = None, Ticket.SlaExemption.NONE
    if contract is not None:
        contract = credits.lock_contract(contract.pk)  # the balance read next must hold
        summary = credits.summary_for(contract, today)
        if summary is not None and summary.is_used_up:
            exemption = Ticket.SlaExemption.CREDITS_USED_UP
        else:
            sla = contract.support_plan.sla

    response_due, resolution_due = sla_services.due_times(sla=sla, priority=priority, start=now)
    ticket = Ticket(
        subject=subject,
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
        created_by=by,
    )
    ticket.full_clean()
    ticket.save()
    return ticket


STATUS_INVALID = _("Choose a valid status.")
PRIORITY_INVALID = _("Choose a valid priority.")


@transaction.atomic
def ticket_change_status(
    *, ticket: Ticket, status: str, at: datetime.datetime | None = None
) -> Ticket:
    """Move a ticket to ``status``, pausing or resuming its SLA clock.

    Saving fires the credit receiver: resolving spends a credit, reopening refunds it.
    """
    if status not in Status.values:
        raise ValidationError({"status": STATUS_INVALID})
    at = at or timezone.now()
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == status:
        return ticket
    was_on_hold = ticket.is_on_hold
    ticket.status = status
    if ticket.first_responded_at is None and status != Status.OPEN:
        # An agent acting on the ticket for the first time is its first response.
        ticket.first_responded_at = at
    if ticket.is_on_hold and not was_on_hold:
        ticket.on_hold_since = at
    elif was_on_hold and not ticket.is_on_hold and ticket.on_hold_since:
        minutes = sla_services.paused_minutes(sla=ticket.sla, start=ticket.on_hold_since, end=at)
        ticket.sla_paused_minutes += minutes
        ticket.response_due_at = (
            ticket.response_due_at
            if ticket.first_responded_at
            else sla_services.shift(sla=ticket.sla, due=ticket.response_due_at, minutes=minutes)
        )
        ticket.resolution_due_at = sla_services.shift(
            sla=ticket.sla, due=ticket.resolution_due_at, minutes=minutes
        )
        ticket.on_hold_since = None
    ticket.save()
    return ticket


@transaction.atomic
def ticket_change_priority(*, ticket: Ticket, priority: str) -> Ticket:
    """Change a ticket's priority; its due times follow the new priority's targets."""
    if priority not in Priority.values:
        raise ValidationError({"priority": PRIORITY_INVALID})
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.priority == priority:
        return ticket
    ticket.priority = priority
    sla_services.recompute_due_times(ticket=ticket)
    ticket.save()
    return ticket


@transaction.atomic
def ticket_assign(*, ticket: Ticket, assignee) -> Ticket:
    """Give the ticket to ``assignee`` (an active member of its department), or to nobody."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if (
        assignee is not None
        and not assignable_users(ticket.department).filter(pk=assignee.pk).exists()
    ):
        raise ValidationError({"assignee": ASSIGNEE_NOT_IN_DEPARTMENT})
    if ticket.assignee_id == (assignee.pk if assignee else None):
        return ticket
    ticket.assignee = assignee
    ticket.save()
    return ticket
