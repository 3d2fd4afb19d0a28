"""The automation panels of other apps' pages: a ticket's and a contract's tasks and the rules
that fired on them, and the home page's *My tasks* card.

The ticket, contract and home pages load this library (``{% load automation %}``) rather than
import the automation app: the apps below it never import it (``tests/test_layers.py``). Each
tag reads a fixed number of queries, however many tasks and firings the record has.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from desk.access import can_manage_automation

from .. import selectors
from ..log import firings_in_words
from ..services import WORK_TICKETS
from ..task_forms import TaskForm

register = template.Library()

# How many of one's next open tasks the home page lists.
HOME_TASKS_SHOWN = 5


# Reasons the engine records in English as a code (``automation.actions``), shown translated.
def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


def _can_work_tasks(user) -> bool:
    """Whether ``user`` may add tasks and complete anyone's of the records they see (a task's
    assignee may always complete their own)."""
    return user.is_active and user.has_perm(WORK_TICKETS)


def _people_read(context):
    """The ticket page's assignable people as its update form's drop-down read them (the same
    people: the department's active members), so the add-task form costs no query; None if the
    page has no such form."""
    form = context.get("update_form")
    field = getattr(form, "fields", {}).get("assignee")
    choices = getattr(getattr(field, "widget", None), "choices", None)
    if not isinstance(choices, list):
        return None
    return [(value, label) for value, label in choices if value != ""]


def _task_context(context, tasks, *, ticket=None, contract=None) -> dict[str, Any]:
    user = _user(context)
    can_work = _can_work_tasks(user)
    request = context.get("request")
    record = ticket if ticket is not None else contract
    return {
        "tasks": tasks,
        "ticket": ticket,
        "contract": contract,
        "now": timezone.now(),
        "user": user,
        "can_work": can_work,
        "can_manage_automation": can_manage_automation(user),
        "csrf_token": context.get("csrf_token"),
        "next_url": f"{record.get_absolute_url()}#tasks"
        if record is not None
        else (request.get_full_path() if request else ""),
        "task_form": (
            TaskForm(user=user, ticket=ticket, assignee_choices=_people_read(context))
            if ticket is not None and can_work
            else None
        ),
    }


@register.inclusion_tag("automation/includes/task_panel.html", takes_context=True)
def ticket_tasks(context, ticket):
    """The ticket's tasks, open ones first by due time, and the form that adds one."""
    return _task_context(context, list(selectors.tasks_of(ticket=ticket)), ticket=ticket)


@register.inclusion_tag("automation/includes/task_panel.html", takes_context=True)
def contract_tasks(context, contract):
    """The tasks the contract's rules made."""
    return _task_context(context, list(selectors.tasks_of(contract=contract)), contract=contract)


@register.inclusion_tag("automation/includes/task_card.html", takes_context=True)
def my_tasks_card(context):
    """The home page's card: how many open tasks one has, how many overdue, and the next few."""
    user = _user(context)
    now = timezone.now()
    return {
        "figures": selectors.open_task_figures(user, now),
        "tasks": list(selectors.my_tasks(user)[:HOME_TASKS_SHOWN]),
        "now": now,
    }


@register.inclusion_tag("automation/includes/firing_log.html", takes_context=True)
def rule_firings(context, ticket=None, contract=None):
    """The rules that fired on the ticket or contract, newest first, each action in words."""
    user = _user(context)
    firings = selectors.record_log(ticket=ticket, contract=contract)
    return {
        "firings": firings_in_words(firings),
        "can_manage_automation": can_manage_automation(user),
        "record_kind": "ticket" if ticket is not None else "contract",
    }
