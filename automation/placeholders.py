"""An alert's email template: a subject and a text with placeholders such as ``{ticket.subject}``.

Placeholders are looked up, never executed: a template is plain text with ``{name}`` holes, so
an administrator's template cannot reach anything but the values listed here. Each value is
written in the reader's language and time zone (the caller renders under their overrides).
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from desk import mail
from desk.people import person_name

from .models import Module

PLACEHOLDER = re.compile(r"\{([a-z_]+\.[a-z_]+)\}")

# name: what it is (shown beside the template form).
CONTRACT_PLACEHOLDERS = {
    "account.name": _("the account's name"),
    "contract.name": _("the contract's name"),
    "contract.number": _("the contract's number"),
    "contract.end_date": _("the contract's end date (or “no end date”)"),
    "contract.owner": _("the contract owner's name"),
    "contract.link": _("the contract's address"),
    "plan.name": _("the support plan's name"),
    "plan.type": _("the support plan's type"),
    "credits.limit": _("the credits per cycle"),
    "credits.used": _("the credits used in the cycle"),
    "credits.left": _("the credits left in the cycle"),
    "rule.name": _("the rule's name"),
}
TICKET_PLACEHOLDERS = {
    "ticket.number": _("the ticket's number"),
    "ticket.subject": _("the ticket's subject"),
    "ticket.status": _("the ticket's status"),
    "ticket.priority": _("the ticket's priority"),
    "ticket.assignee": _("the assignee's name"),
    "ticket.contact": _("the contact's name"),
    "ticket.link": _("the ticket's address"),
    "ticket.resolution_due": _("the resolution due time"),
    **CONTRACT_PLACEHOLDERS,
}
PLACEHOLDERS: dict[str, dict[str, Any]] = {
    Module.TICKETS: TICKET_PLACEHOLDERS,
    Module.CONTRACTS: CONTRACT_PLACEHOLDERS,
}


def check(module: str, text: str, *, field: str) -> None:
    """``ValidationError`` on ``field`` for a placeholder the module does not offer."""
    known = PLACEHOLDERS[module]
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in known})
    if unknown:
        raise ValidationError(
            {
                field: ValidationError(
                    _("Unknown placeholder(s): %(names)s. Use those listed beside the form."),
                    params={"names": ", ".join(f"{{{name}}}" for name in unknown)},
                    code="placeholder",
                )
            }
        )


def render(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def values_for(module: str, record, *, rule_name: str = "", credit_summary=None) -> dict[str, str]:
    """Every placeholder's value for ``record`` (a ticket or a contract), in the active language
    and time zone; empty for what the record has not (a ticket without a contract)."""
    values: dict[str, Any] = {"rule.name": rule_name}
    if module == Module.TICKETS:
        ticket = record
        values.update(
            {
                "ticket.number": f"#{ticket.pk}",
                "ticket.subject": ticket.subject,
                "ticket.status": str(ticket.status_label),
                "ticket.priority": str(ticket.priority_label),
                "ticket.assignee": person_name(ticket.assignee) if ticket.assignee else "",
                "ticket.contact": str(ticket.contact) if ticket.contact else "",
                "ticket.link": mail.link_to(ticket),
                "ticket.resolution_due": _when(ticket.resolution_due_at),
                "account.name": ticket.account.name,
            }
        )
        contract = ticket.contract
    else:
        contract = record
    if contract is not None:
        plan = contract.support_plan
        values.update(
            {
                "account.name": contract.account.name,
                "contract.name": contract.name,
                "contract.number": contract.contract_number,
                "contract.end_date": (
                    formats.date_format(contract.end_date, "DATE_FORMAT")
                    if contract.end_date
                    else str(_("no end date"))
                ),
                "contract.owner": person_name(contract.owner),
                "contract.link": mail.link_to(contract),
                "plan.name": plan.name,
                "plan.type": str(plan.get_plan_type_display()),
            }
        )
        if credit_summary is not None:
            values.update(
                {
                    "credits.limit": str(credit_summary.limit),
                    "credits.used": str(credit_summary.used),
                    "credits.left": str(max(credit_summary.left, 0)),
                }
            )
    return {name: str(values.get(name, "")) for name in PLACEHOLDERS[module]}


def _when(moment) -> str:
    if moment is None:
        return ""
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
