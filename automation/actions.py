"""What a rule does when it fires, in the SPEC's order: field updates, alert, task, webhook.

The one home of the actions, for every kind of rule. Each action is tried on its own: one that
fails is recorded on the firing (``{"action", "ok", "detail"}``) and the others still run; a
field update that fails rolls back only itself (a savepoint), never the change that triggered
the rule nor the other actions. Emails and webhooks are queued in the firing's transaction and
delivered, with retries, by the task workers.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import transaction
from django.utils import translation

from desk import mail
from desk.choices import Priority
from desk.people import person_name
from tickets import services as ticket_services

from . import placeholders
from .chain import acting
from .models import RAISE_PRIORITY, Firing, Module, Rule, WebhookDelivery

Result = dict[str, Any]


def perform(
    rule: Rule,
    record,
    *,
    facts,
    firing: Firing,
    chain: tuple[int, ...],
    reload: Callable[[], Any] | None = None,
    seen: tuple[int, ...] = (),
) -> list[Result]:
    """Run ``rule``'s actions on ``record`` (a ticket or a contract) for ``firing``; ``chain``:
    the rules whose field updates led to the change that fired it. ``reload``: the record read
    again, so that the alert, task and webhook after a field update see the record as it left
    it (the new assignee, priority, credits). ``seen``: the rules after this one in the run,
    which read its field update there (``automation.chain.seen``)."""
    results = []
    after = rule.alerts or rule.makes_task or bool(rule.webhook_url)  # actions that read it
    if rule.module == Module.TICKETS and rule.field_updates:
        results.append(_field_update(rule, record, chain=(*chain, rule.pk), seen=seen))
        if results[-1]["ok"] and reload is not None and after:
            record = reload()
            facts = type(facts)(rule.module, record)
    if rule.alerts:
        results.append(_alert(rule, record, facts=facts))
    if rule.makes_task:
        results.append(_task(rule, record, fired_at=firing.fired_at))
    if rule.webhook_url:
        results.append(_webhook(rule, record, facts=facts, firing=firing))
    return results


def _refusal(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(message) for message in error.messages)
    return str(error) or type(error).__name__


# --- field updates --------------------------------------------------------------------------


def rule_reason(rule: Rule) -> str:
    """The history's reason for a rule's change (``desk.history`` shows it translated)."""
    return f"Workflow rule: {rule.name}"


def _field_update(
    rule: Rule, ticket, *, chain: tuple[int, ...], seen: tuple[int, ...] = ()
) -> Result:
    updates = rule.field_updates
    if updates.get("priority") == RAISE_PRIORITY:
        updates["priority"] = Priority.raised(ticket.priority)
    detail = {
        "status": updates.get("status", ""),
        "priority": updates.get("priority", ""),
        "assignee": person_name(updates["assignee"]) if "assignee" in updates else "",
    }
    try:
        # The update is itself a change: the rules it fires know the chain that made it, so
        # never this rule again, and none past the chain's depth (``automation.chain``).
        with acting(chain, seen), transaction.atomic():
            ticket_services.ticket_update(
                by=rule.owner, ticket=ticket, reason=rule_reason(rule), **updates
            )
    except (ValidationError, PermissionDenied) as error:
        return {"action": "field_update", "ok": False, "detail": detail, "error": _refusal(error)}
    return {"action": "field_update", "ok": True, "detail": detail}


# --- alert ----------------------------------------------------------------------------------


def recipients(rule: Rule, record) -> tuple[list, list[str]]:
    """Whom ``rule``'s alert on ``record`` writes to: users (each in their own language), and
    other addresses (in the desk's). One message per address, however it was chosen."""
    users, addresses = [], []
    ticket = record if rule.module == Module.TICKETS else None
    contract = ticket.contract if ticket is not None else record
    if rule.alert_assignee and ticket is not None and ticket.assignee is not None:
        users.append(ticket.assignee)
    if rule.alert_contract_owner and contract is not None:
        users.append(contract.owner)
    if rule.alert_contact and ticket is not None and ticket.contact is not None:
        contact = ticket.contact
        if contact.user is not None:
            users.append(contact.user)
        elif contact.email:
            addresses.append(contact.email)
    users.extend(rule.alert_users.all())
    addresses.extend(
        line.strip() for line in rule.alert_addresses.splitlines() if is_address(line.strip())
    )
    seen: set[str] = set()
    unique_users = []
    for user in users:
        if user.email and user.email.lower() not in seen and user.is_active:
            seen.add(user.email.lower())
            unique_users.append(user)
    unique_addresses = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            unique_addresses.append(address)
    return unique_users, unique_addresses


def is_address(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def compose(rule: Rule, record, *, facts) -> tuple[str, str]:
    """The alert's subject and text for ``record``, in the active language and time zone."""
    template = rule.alert_template
    assert template is not None
    values = placeholders.values_for(
        rule.module, record, rule_name=rule.name, credit_summary=facts.credit_summary
    )
    subject = " ".join(placeholders.render(template.subject, values).split())
    return subject, placeholders.render(template.body, values)


def _alert(rule: Rule, record, *, facts) -> Result:
    users, addresses = recipients(rule, record)
    messages = mail.messages_for(users, lambda: compose(rule, record, facts=facts))
    if addresses:
        # The desk's language, for addresses without a user (``override(None)`` would write
        # the untranslated source text whatever LANGUAGE_CODE says).
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = compose(rule, record, facts=facts)
        messages.append((subject, body, "", addresses))
    sent_to = [to for message in messages for to in message[3]]
    if not sent_to:
        return {"action": "alert", "ok": False, "detail": {"to": []}, "error": "no recipient"}
    mail.queue(messages)
    return {"action": "alert", "ok": True, "detail": {"to": sent_to}}


# --- task -----------------------------------------------------------------------------------


def due_after(rule: Rule, fired_at: datetime.datetime) -> datetime.datetime:
    amount = rule.task_due_in
    if rule.task_due_unit == Rule.DueUnit.MONTHS:
        return fired_at + relativedelta(months=amount)
    return fired_at + datetime.timedelta(**{rule.task_due_unit: amount})


def _task(rule: Rule, record, *, fired_at: datetime.datetime) -> Result:
    from . import services  # the services import the engine's chain

    ticket = record if rule.module == Module.TICKETS else None
    contract = record if ticket is None else ticket.contract
    assignee = rule.task_assignee
    if assignee is None:
        assignee = ticket.assignee if ticket is not None else contract.owner
    try:
        task = services.task_create(
            by=rule.owner,
            subject=rule.task_subject,
            description=rule.task_description,
            ticket=ticket,
            contract=contract if ticket is None else None,
            department=rule.department,
            assignee=assignee,
            priority=rule.task_priority,
            due_at=due_after(rule, fired_at),
            rule=rule,
        )
    except (ValidationError, PermissionDenied) as error:
        return {
            "action": "task",
            "ok": False,
            "detail": {"subject": rule.task_subject},
            "error": _refusal(error),
        }
    return {"action": "task", "ok": True, "detail": {"subject": task.subject, "task": task.pk}}


# --- webhook --------------------------------------------------------------------------------


def payload(rule: Rule, record, *, facts, firing: Firing) -> dict[str, Any]:
    """The JSON a webhook posts: the firing and the record."""
    body: dict[str, Any] = {
        "event": str(firing.event),
        "rule": {"id": rule.pk, "name": rule.name},
        "trigger": firing.trigger,
        "fired_at": firing.fired_at,
    }
    ticket = record if rule.module == Module.TICKETS else None
    contract = record if ticket is None else ticket.contract
    if ticket is not None:
        body["ticket"] = {
            "id": ticket.pk,
            "subject": ticket.subject,
            "status": ticket.status,
            "priority": ticket.priority,
            "department": ticket.department_id,
            "account": {"id": ticket.account_id, "name": ticket.account.name},
            "contact": (
                {
                    "id": ticket.contact_id,
                    "name": str(ticket.contact),
                    "email": ticket.contact.email,
                }
                if ticket.contact
                else None
            ),
            "assignee": _person(ticket.assignee),
            "contract": ticket.contract_id,
            "sla": ticket.sla_id,
            "response_due_at": ticket.response_due_at,
            "resolution_due_at": ticket.resolution_due_at,
            "created_at": ticket.created_at,
            "url": mail.link_to(ticket),
        }
    if contract is not None:
        plan = contract.support_plan
        summary = facts.credit_summary
        body["contract"] = {
            "id": contract.pk,
            "name": contract.name,
            "contract_number": contract.contract_number,
            "account": {"id": contract.account_id, "name": contract.account.name},
            "start_date": contract.start_date,
            "end_date": contract.end_date,
            "owner": _person(contract.owner),
            "support_plan": {"id": plan.pk, "name": plan.name, "plan_type": plan.plan_type},
            "credits": (
                {
                    "limit": summary.limit,
                    "used": summary.used,
                    "adjusted": summary.adjusted,
                    "left": summary.left,
                    "cycle_start": summary.cycle.start,
                    "cycle_end": summary.cycle.end,
                }
                if summary is not None
                else None
            ),
            "url": mail.link_to(contract),
        }
    return body


def _person(user) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": person_name(user), "email": user.email}


def _webhook(rule: Rule, record, *, facts, firing: Firing) -> Result:
    from .tasks import deliver_webhook  # the task module imports the webhooks

    body = json.dumps(
        payload(rule, record, facts=facts, firing=firing), cls=DjangoJSONEncoder, sort_keys=True
    )
    delivery = WebhookDelivery.objects.create(firing=firing, url=rule.webhook_url, body=body)
    deliver_webhook.enqueue(delivery.pk)
    return {
        "action": "webhook",
        "ok": True,
        "detail": {"url": rule.webhook_url, "delivery": delivery.pk},
    }
