"""Whether a department's workflow rules listen to a change is known without asking the rules
table (issue 21): each process keeps what they listen for under the department's rules token,
which every change to its rules makes anew, and which a change reads with its department."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from automation import receivers, services
from automation.models import Module, Rule
from desk.choices import Priority, Status
from desk.models import Department
from tests.automation.test_engine import make_rule, open_ticket, queued_runs
from tickets.models import Ticket
from tickets.services import ticket_update

pytestmark = pytest.mark.django_db

Trigger = Rule.Trigger


def edit(by, ticket, priority):
    """A change through the one door, with the queries it made."""
    with CaptureQueriesContext(connection) as queries:
        ticket_update(by=by, ticket=Ticket.objects.get(pk=ticket.pk), priority=priority)
    return [q["sql"] for q in queries]


def asks_the_rules(queries) -> bool:
    return any('FROM "automation_rule"' in sql for sql in queries)


def test_a_change_asks_the_rules_table_only_when_the_rules_changed(
    administrator, department, account
):
    make_rule(administrator, department, trigger=Trigger.EDITED, task_subject="Look")
    ticket = open_ticket(administrator, department, account)
    edit(administrator, ticket, Priority.LOW)
    assert not asks_the_rules(edit(administrator, ticket, Priority.HIGH))
    assert queued_runs().count() == 2

    make_rule(administrator, department, trigger=Trigger.EDITED, task_subject="Again")
    assert asks_the_rules(edit(administrator, ticket, Priority.URGENT))  # once after a change
    assert not asks_the_rules(edit(administrator, ticket, Priority.LOW))
    assert queued_runs().count() == 4


def test_a_rule_saved_or_deleted_is_heard_by_the_next_change(administrator, department, account):
    ticket = open_ticket(administrator, department, account)
    edit(administrator, ticket, Priority.LOW)
    assert not queued_runs().exists()  # no rule listens

    rule = make_rule(administrator, department, trigger=Trigger.EDITED, task_subject="Look")
    edit(administrator, ticket, Priority.HIGH)
    assert queued_runs().count() == 1

    services.rule_set_active(by=administrator, rule=rule, is_active=False)
    edit(administrator, ticket, Priority.URGENT)
    assert queued_runs().count() == 1  # the inactive rule is not listening

    services.rule_set_active(by=administrator, rule=rule, is_active=True)
    edit(administrator, ticket, Priority.LOW)
    assert queued_runs().count() == 2

    services.rule_delete(by=administrator, rule=rule)
    edit(administrator, ticket, Priority.HIGH)
    assert queued_runs().count() == 2


def test_rules_written_by_another_process_are_heard_from_the_new_token(
    administrator, department, account
):
    """Another process's rule (here written without this process's signals) makes a new token;
    this process's next change reads it with the ticket's lock and asks the rules again."""
    ticket = open_ticket(administrator, department, account)
    edit(administrator, ticket, Priority.LOW)
    Rule.objects.bulk_create(
        [
            Rule(
                department=department,
                module=Module.TICKETS,
                kind=Rule.Kind.WORKFLOW,
                name="Elsewhere",
                trigger=Trigger.EDITED,
                task_subject="Look",
                owner=administrator,
            )
        ]
    )
    edit(administrator, ticket, Priority.HIGH)
    assert not queued_runs().exists()  # the token is the same: the pairs known stand
    Department.objects.filter(pk=department.pk).update(rules_version=uuid.uuid4())
    edit(administrator, ticket, Priority.URGENT)
    assert queued_runs().count() == 1


def test_a_department_read_before_a_rule_changed_still_hears_it(administrator, department, account):
    """A department read before a rule was saved carries the token before: the pairs known
    for it are never older than the rules saved since in this process."""
    stale = Department.objects.get(pk=department.pk)
    make_rule(administrator, department, trigger=Trigger.CREATED, task_subject="Call back")
    open_ticket(administrator, stale, account)
    assert queued_runs().count() == 1


def test_a_resolve_asks_no_rule_table_for_its_two_changes(
    administrator, department, account, ticket_based_contract
):
    """The ticket's change and its contract's credit change: both known from the department
    the locks read (the contract's lock joins its plan's department)."""
    make_rule(administrator, department, trigger=Trigger.EDITED, task_subject="Look")
    make_rule(
        administrator,
        department,
        module=Module.CONTRACTS,
        trigger=Trigger.CREDIT_CHANGED,
        task_subject="Credits",
    )
    tickets = [
        open_ticket(administrator, department, account, contract=ticket_based_contract)
        for _ in range(2)
    ]
    ticket_update(by=administrator, ticket=tickets[0], status=Status.RESOLVED)  # warm
    with CaptureQueriesContext(connection) as queries:
        ticket_update(by=administrator, ticket=tickets[1], status=Status.RESOLVED)
    assert not asks_the_rules([q["sql"] for q in queries])
    assert queued_runs().count() == 2 * 2  # each ticket: its resolve, its credit spent


def test_saving_a_department_read_before_a_rule_changed_keeps_the_new_token(
    administrator, department
):
    stale = Department.objects.get(pk=department.pk)
    make_rule(administrator, department, trigger=Trigger.EDITED, task_subject="Look")
    token = Department.objects.get(pk=department.pk).rules_version
    stale.contracts_enabled = not stale.contracts_enabled
    stale.save()
    saved = Department.objects.get(pk=department.pk)
    assert (saved.rules_version, saved.contracts_enabled) == (token, stale.contracts_enabled)


def test_the_pairs_known_are_dropped_with_the_rules_change(administrator, department):
    make_rule(administrator, department, trigger=Trigger.EDITED, task_subject="Look")
    department.refresh_from_db()
    assert (Module.TICKETS, Trigger.EDITED) in receivers.listening(department)
    receivers.rules_changed([department.pk])
    assert department.pk not in receivers._listening
