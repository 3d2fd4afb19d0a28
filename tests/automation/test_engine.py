"""Workflow rules at work (SPEC section 10): a ticket or contract change fires the matching active
rules of its department and module, in list order, after the change commits, through the task
workers; each firing is logged, and does what the rule says: field updates, alert, task, webhook.
"""

import datetime
import itertools

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from automation import criteria, engine, services
from automation.chain import MAX_DEPTH
from automation.models import Firing, Module, Rule, Task
from contracts.models import CreditEntry
from desk.choices import Priority, Status
from desk.models import OutgoingEmail, Preferences
from desk.people import person_name
from tests import factories as f
from tests.conftest import run_queued_tasks
from tickets.conversation import reply_add
from tickets.models import Ticket
from tickets.services import ASSIGNEE_NOT_IN_DEPARTMENT, ticket_create, ticket_update

pytestmark = pytest.mark.django_db

Trigger = Rule.Trigger
RUN_RULES = "automation.tasks.run_workflow_rules"
NUMBERS = itertools.count(1)


# --- helpers --------------------------------------------------------------------------------


def template(by, department, *, module=Module.TICKETS, subject=None, body="{rule.name}"):
    if subject is None:
        subject = (
            "{ticket.priority}: {ticket.subject}"
            if module == Module.TICKETS
            else "{contract.number}"
        )
    return services.template_create(
        by=by,
        department=department,
        module=module,
        name=f"Template {next(NUMBERS)}",
        subject=subject,
        body=body,
    )


def make_rule(by, department, *, module=Module.TICKETS, **fields):
    fields.setdefault("name", f"Rule {next(NUMBERS)}")
    return services.rule_create(by=by, department=department, module=module, **fields)


def open_ticket(by, department, account, **fields):
    fields.setdefault("subject", f"Ticket {next(NUMBERS)}")
    return ticket_create(by=by, account=account, department=department, **fields)


def firings(rule) -> list[Firing]:
    return list(Firing.objects.filter(rule=rule).order_by("pk"))


def tasks_of(rule) -> list[Task]:
    return list(Task.objects.filter(rule=rule).order_by("pk"))


def emails_to(address) -> list[OutgoingEmail]:
    return list(OutgoingEmail.objects.filter(to=address).order_by("pk"))


def queued_runs():
    return DBTaskResult.objects.filter(task_path=RUN_RULES)


# --- triggers -------------------------------------------------------------------------------


def test_created_fires_on_a_new_ticket_only(administrator, department, account):
    rule = make_rule(administrator, department, trigger=Trigger.CREATED, task_subject="Call back")

    ticket = open_ticket(administrator, department, account)
    run_queued_tasks()
    ticket_update(by=administrator, ticket=ticket, priority=Priority.HIGH)
    run_queued_tasks()

    assert [t.ticket for t in tasks_of(rule)] == [ticket]
    assert [(x.trigger, x.ticket, x.outcome) for x in firings(rule)] == [
        (Trigger.CREATED, ticket, Firing.Outcome.DONE)
    ]


def test_edited_fires_on_a_change_only(administrator, department, account):
    rule = make_rule(administrator, department, trigger=Trigger.EDITED, task_subject="Check it")

    ticket = open_ticket(administrator, department, account)
    run_queued_tasks()
    assert tasks_of(rule) == []
    ticket_update(by=administrator, ticket=ticket, priority=Priority.HIGH)
    run_queued_tasks()
    ticket_update(by=administrator, ticket=ticket, priority=Priority.HIGH)  # no change
    run_queued_tasks()

    assert len(tasks_of(rule)) == 1
    assert [x.trigger for x in firings(rule)] == [Trigger.EDITED]


def test_created_or_edited_fires_on_both(administrator, department, account):
    rule = make_rule(
        administrator, department, trigger=Trigger.CREATED_OR_EDITED, task_subject="Look"
    )

    ticket = open_ticket(administrator, department, account)
    run_queued_tasks()
    ticket_update(by=administrator, ticket=ticket, subject="Printer on fire")
    run_queued_tasks()

    assert len(tasks_of(rule)) == 2


def test_fields_updated_fires_only_when_a_chosen_field_really_changed(
    administrator, department, account
):
    rule = make_rule(
        administrator,
        department,
        trigger=Trigger.FIELDS_UPDATED,
        trigger_fields=["priority"],
        task_subject="Priority moved",
    )
    ticket = open_ticket(administrator, department, account, priority=Priority.MEDIUM)
    run_queued_tasks()

    ticket_update(by=administrator, ticket=ticket, subject="Another subject")  # not chosen
    ticket_update(by=administrator, ticket=ticket, priority=Priority.MEDIUM)  # not a change
    run_queued_tasks()
    assert tasks_of(rule) == []

    ticket_update(by=administrator, ticket=ticket, priority=Priority.HIGH)
    run_queued_tasks()
    assert len(tasks_of(rule)) == 1
    assert firings(rule)[0].trigger == Trigger.FIELDS_UPDATED


@pytest.fixture
def customer_ticket(administrator, department, account):
    contact = f.ContactFactory(account=account, email="pat@example.com")
    customer = f.customer_of(contact)
    ticket = open_ticket(administrator, department, account, contact=contact)
    return ticket, customer


def test_customer_reply_fires_on_the_customers_reply_not_an_agents(
    administrator, agent, department, customer_ticket
):
    ticket, customer = customer_ticket
    rule = make_rule(
        administrator, department, trigger=Trigger.CUSTOMER_REPLY, task_subject="Answer"
    )

    reply_add(by=agent, ticket=ticket, body="We are on it.")
    run_queued_tasks()
    assert tasks_of(rule) == []

    reply_add(by=customer, ticket=ticket, body="Still broken.")
    run_queued_tasks()
    assert [x.trigger for x in firings(rule)] == [Trigger.CUSTOMER_REPLY]


def test_agent_reply_fires_on_a_public_reply_not_a_private_note(
    administrator, agent, department, customer_ticket
):
    ticket, customer = customer_ticket
    rule = make_rule(administrator, department, trigger=Trigger.AGENT_REPLY, task_subject="QA")

    reply_add(by=agent, ticket=ticket, body="Internal: ask the vendor.", public=False)
    reply_add(by=customer, ticket=ticket, body="Hello?")
    run_queued_tasks()
    assert tasks_of(rule) == []

    reply_add(by=agent, ticket=ticket, body="Fixed it.")
    run_queued_tasks()
    assert [x.trigger for x in firings(rule)] == [Trigger.AGENT_REPLY]


def test_credit_changed_fires_a_contract_rule_on_spend_and_on_refund(
    administrator, department, account, ticket_based_contract
):
    rule = make_rule(
        administrator,
        department,
        module=Module.CONTRACTS,
        trigger=Trigger.CREDIT_CHANGED,
        once_per_cycle=False,
        alert_template=template(
            administrator,
            department,
            module=Module.CONTRACTS,
            subject="{contract.number}: {credits.left} left",
        ),
        alert_addresses="billing@example.com",
    )
    ticket = open_ticket(administrator, department, account)
    assert ticket.contract == ticket_based_contract
    run_queued_tasks()

    ticket_update(by=administrator, ticket=ticket, status=Status.RESOLVED)
    run_queued_tasks()
    ticket_update(by=administrator, ticket=ticket, status=Status.OPEN)  # refunded
    run_queued_tasks()

    number = ticket_based_contract.contract_number
    assert [e.subject for e in emails_to("billing@example.com")] == [
        f"{number}: 2 left",
        f"{number}: 3 left",
    ]
    assert [(x.trigger, x.contract) for x in firings(rule)] == [
        (Trigger.CREDIT_CHANGED, ticket_based_contract)
    ] * 2


def test_rules_of_another_department_or_module_or_inactive_do_not_fire(
    administrator, department, other_department, account
):
    boss = f.desk_admin()
    elsewhere = make_rule(boss, other_department, trigger=Trigger.CREATED, task_subject="No")
    contract_rule = make_rule(
        administrator,
        department,
        module=Module.CONTRACTS,
        trigger=Trigger.CREATED,
        task_subject="No",
        task_assignee=administrator,
    )
    inactive = make_rule(
        administrator, department, trigger=Trigger.CREATED, task_subject="No", is_active=False
    )

    open_ticket(administrator, department, account)

    assert not queued_runs().exists()  # nothing listens: no run is even queued
    run_queued_tasks()
    assert not Firing.objects.filter(rule__in=[elsewhere, contract_rule, inactive]).exists()
    assert not Task.objects.exists()

    listening = make_rule(administrator, department, trigger=Trigger.CREATED, task_subject="Yes")
    open_ticket(administrator, department, account)
    run_queued_tasks()
    assert [t.rule for t in Task.objects.all()] == [listening]


# --- order and chains -----------------------------------------------------------------------


def test_matching_rules_fire_in_list_order_and_the_next_sees_the_first_ones_update(
    administrator, department, account
):
    raise_it = make_rule(
        administrator, department, trigger=Trigger.CREATED, set_priority=Priority.HIGH
    )
    follow_up = make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED,
        criteria=[{"field": "priority", "operator": "is", "value": "high"}],
        task_subject="High priority follow-up",
    )

    ticket = open_ticket(administrator, department, account, priority=Priority.MEDIUM)
    run_queued_tasks()

    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert [t.ticket for t in tasks_of(follow_up)] == [ticket]
    assert firings(raise_it)[0].pk < firings(follow_up)[0].pk

    # Moved first, the follow-up reads the ticket before the other rule raised it.
    services.rule_move(by=administrator, rule=follow_up, up=True)
    second = open_ticket(administrator, department, account, priority=Priority.MEDIUM)
    run_queued_tasks()

    second.refresh_from_db()
    assert second.priority == Priority.HIGH
    assert [t.ticket for t in tasks_of(follow_up)] == [ticket]  # not the second ticket
    assert len(firings(raise_it)) == 2


def test_a_rule_whose_own_update_matches_it_fires_once(administrator, department, account):
    rule = make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED_OR_EDITED,
        set_priority=Priority.HIGH,
        task_subject="Look",
    )

    ticket = open_ticket(administrator, department, account, priority=Priority.LOW)
    run_queued_tasks()

    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert len(firings(rule)) == 1 and len(tasks_of(rule)) == 1
    history = list(ticket.history.order_by("history_id"))
    assert history[-1].history_change_reason == f"Workflow rule: {rule.name}"


def test_a_chain_of_rules_stops_at_depth_three_and_the_stop_is_logged(
    administrator, agent, department, account
):
    a = make_rule(administrator, department, trigger=Trigger.CREATED, set_priority=Priority.HIGH)

    def when_changed(field, **update):
        return make_rule(
            administrator,
            department,
            trigger=Trigger.FIELDS_UPDATED,
            trigger_fields=[field],
            **update,
        )

    b = when_changed("priority", set_status=Status.IN_PROGRESS)
    c = when_changed("status", set_assignee=agent)
    d = when_changed("assignee", set_priority=Priority.LOW)

    ticket = open_ticket(administrator, department, account, priority=Priority.MEDIUM)
    run_queued_tasks()

    ticket.refresh_from_db()
    # A, B and C changed the ticket; D, a fourth link, did not.
    assert (ticket.priority, ticket.status, ticket.assignee) == (
        Priority.HIGH,
        Status.IN_PROGRESS,
        agent,
    )
    logged = [(x.rule, x.depth, x.outcome) for x in Firing.objects.order_by("pk")]
    assert logged == [
        (a, 0, Firing.Outcome.DONE),
        (b, 1, Firing.Outcome.DONE),
        (c, 2, Firing.Outcome.DONE),
        (d, MAX_DEPTH, Firing.Outcome.STOPPED),
    ]
    assert firings(d)[0].actions == []


def test_a_later_rule_that_read_an_earlier_rules_update_does_not_fire_again_on_it(
    administrator, department, account
):
    """Two rules on every edit: the first raises the priority, the second alerts on urgent
    tickets. The second reads the first's update in the same run, and fires once, not again on
    the change the first made."""
    make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED_OR_EDITED,
        criteria=[{"field": "subject", "operator": "contains", "value": "outage"}],
        set_priority=Priority.URGENT,
    )
    alert = make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED_OR_EDITED,
        criteria=[{"field": "priority", "operator": "is", "value": "urgent"}],
        alert_template=template(administrator, department),
        alert_addresses="ops@example.com",
    )
    ticket = open_ticket(administrator, department, account, subject="Printer")
    run_queued_tasks()

    ticket_update(by=administrator, ticket=ticket, subject="Mail outage")
    run_queued_tasks()

    assert [e.subject for e in emails_to("ops@example.com")] == ["Urgent: Mail outage"]
    assert len(firings(alert)) == 1


# --- a failing action -----------------------------------------------------------------------


def test_a_failing_field_update_is_logged_and_the_other_actions_still_run(
    administrator, department, account
):
    leaver = f.AgentFactory(username="leaver", departments=[department])
    rule = make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED,
        set_assignee=leaver,
        alert_template=template(administrator, department),
        alert_addresses="ops@example.com",
        task_subject="Triage",
    )
    department.members.remove(leaver)

    ticket = open_ticket(administrator, department, account, subject="Printer")
    run_queued_tasks()

    (firing,) = firings(rule)
    assert firing.outcome == Firing.Outcome.FAILED
    assert [(a["action"], a["ok"]) for a in firing.actions] == [
        ("field_update", False),
        ("alert", True),
        ("task", True),
    ]
    assert firing.actions[0]["error"] == str(ASSIGNEE_NOT_IN_DEPARTMENT)
    ticket.refresh_from_db()
    assert ticket.assignee is None  # the ticket as its creator left it
    assert [e.subject for e in emails_to("ops@example.com")] == ["Medium: Printer"]
    assert [(t.ticket, t.assignee) for t in tasks_of(rule)] == [(ticket, None)]


def test_an_owner_who_lost_the_permission_fails_the_update_and_task_not_the_change(
    administrator, department, account
):
    rule = make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED,
        set_priority=Priority.URGENT,
        alert_template=template(administrator, department),
        alert_addresses="ops@example.com",
        task_subject="Triage",
    )
    administrator.groups.clear()

    ticket = open_ticket(f.desk_admin(), department, account, priority=Priority.LOW)
    run_queued_tasks()

    (firing,) = firings(rule)
    assert firing.outcome == Firing.Outcome.FAILED
    assert {a["action"]: a["ok"] for a in firing.actions} == {
        "field_update": False,
        "alert": True,
        "task": False,
    }
    assert firing.actions[0]["error"] == "You do not have permission to do this."
    ticket.refresh_from_db()
    assert ticket.priority == Priority.LOW
    assert len(emails_to("ops@example.com")) == 1
    assert not Task.objects.exists()


def test_running_the_same_queued_run_twice_fires_nothing_twice(administrator, department, account):
    rule = make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED,
        alert_template=template(administrator, department),
        alert_addresses="ops@example.com",
        task_subject="Triage",
    )
    open_ticket(administrator, department, account)
    (queued,) = queued_runs()
    run_queued_tasks()

    # A worker runs the same change again (a crash before it recorded the result, a retry).
    DBTaskResult.objects.create(
        **{
            field: getattr(queued, field)
            for field in ("args_kwargs", "task_path", "queue_name", "backend_name", "priority")
        },
        run_after=timezone.now(),
    )
    assert run_queued_tasks() >= 1

    assert len(firings(rule)) == 1
    assert len(tasks_of(rule)) == 1
    assert len(emails_to("ops@example.com")) == 1


# --- once per credit cycle ------------------------------------------------------------------


def test_credits_left_at_most_one_alerts_the_owner_once_per_cycle(
    monkeypatch, administrator, department, account, ticket_based_contract
):
    rule = make_rule(
        administrator,
        department,
        module=Module.CONTRACTS,
        name="Credits running out",
        trigger=Trigger.CREDIT_CHANGED,
        criteria=[{"field": "credits_left", "operator": "lte", "value": "1"}],
        alert_template=template(
            administrator,
            department,
            module=Module.CONTRACTS,
            subject="{contract.number}: {credits.left} credit(s) left",
        ),
        alert_contract_owner=True,
    )
    assert rule.once_per_cycle  # the default

    def resolve(ticket):
        ticket_update(by=administrator, ticket=ticket, status=Status.RESOLVED)
        run_queued_tasks()

    tickets = [open_ticket(administrator, department, account) for _ in range(3)]
    run_queued_tasks()
    resolve(tickets[0])  # 2 left
    assert emails_to("owner@example.com") == []
    resolve(tickets[1])  # 1 left: the alert
    resolve(tickets[2])  # 0 left: still the same cycle
    ticket_update(by=administrator, ticket=tickets[2], status=Status.OPEN)  # 1 left again
    run_queued_tasks()
    resolve(tickets[2])

    number = ticket_based_contract.contract_number
    assert [e.subject for e in emails_to("owner@example.com")] == [f"{number}: 1 credit(s) left"]

    # Five weeks on, the next monthly cycle: its credits run low too, and it alerts again.
    later = timezone.now() + datetime.timedelta(days=35)
    monkeypatch.setattr(timezone, "now", lambda: later)
    fresh = [open_ticket(administrator, department, account) for _ in range(2)]
    run_queued_tasks()
    resolve(fresh[0])
    resolve(fresh[1])

    assert [e.subject for e in emails_to("owner@example.com")] == [
        f"{number}: 1 credit(s) left"
    ] * 2
    cycles = CreditEntry.objects.filter(contract=ticket_based_contract).values("cycle_start")
    assert len({row["cycle_start"] for row in cycles}) == 2
    episodes = [firing.episode for firing in firings(rule)]
    assert len(episodes) == 2 and len(set(episodes)) == 2


# --- the rule -----------------------------------------------------------------------


def test_an_urgent_ticket_under_a_ticket_based_plan_is_assigned_and_the_owner_emailed_once(
    administrator, agent, department, account, owner, ticket_based_contract
):
    Preferences.objects.create(user=owner, language="zh-hans")
    rule = make_rule(
        administrator,
        department,
        name="Urgent ticket-based",
        trigger=Trigger.CREATED,
        criteria=[
            {"field": "plan_type", "operator": "is", "value": "ticket_based"},
            {"field": "priority", "operator": "is", "value": "urgent"},
        ],
        set_assignee=agent,
        alert_template=template(
            administrator,
            department,
            subject="{ticket.priority}: {ticket.subject}",
            body="Assigned to {ticket.assignee}; {credits.left} credits left on {plan.name}.",
        ),
        alert_contract_owner=True,
    )

    urgent = open_ticket(
        administrator, department, account, subject="Server down", priority=Priority.URGENT
    )
    run_queued_tasks()

    urgent.refresh_from_db()
    assert urgent.assignee == agent
    (email,) = emails_to("owner@example.com")
    assert email.subject == "紧急: Server down"  # the owner's language
    # The alert follows the field update: it names the assignee the rule just set.
    assert email.body == f"Assigned to {person_name(agent)}; 3 credits left on Gold."
    assert len(firings(rule)) == 1  # its own assignment did not fire it again

    calm = open_ticket(administrator, department, account, priority=Priority.HIGH)
    run_queued_tasks()

    calm.refresh_from_db()
    assert calm.assignee is None
    assert len(emails_to("owner@example.com")) == 1
    assert len(firings(rule)) == 1


def test_an_urgent_ticket_under_an_unlimited_plan_is_left_alone(
    administrator, agent, department, account
):
    plan = f.SupportPlanFactory(department=department)
    f.ContractFactory(support_plan=plan, account=account)
    make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED,
        criteria=[{"field": "plan_type", "operator": "is", "value": "ticket_based"}],
        set_assignee=agent,
    )
    ticket = open_ticket(administrator, department, account, priority=Priority.URGENT)
    run_queued_tasks()
    ticket.refresh_from_db()
    assert ticket.contract is not None and ticket.assignee is None


# --- alerts ---------------------------------------------------------------------------------


def test_an_alert_goes_once_to_each_recipient_however_often_chosen(
    administrator, agent, department, account
):
    colleague = f.AgentFactory(username="colleague", departments=[department])
    contact = f.ContactFactory(account=account, email="pat@example.com")
    rule = make_rule(
        administrator,
        department,
        trigger=Trigger.FIELDS_UPDATED,
        trigger_fields=["assignee"],
        alert_template=template(administrator, department),
        alert_assignee=True,
        alert_contact=True,
        alert_users=[agent, colleague],
        alert_addresses="boss@example.com\nBOSS@example.com\nagent@example.com\n",
    )
    ticket = open_ticket(administrator, department, account, contact=contact, subject="Jam")
    run_queued_tasks()
    assert not OutgoingEmail.objects.exists()

    ticket_update(by=administrator, ticket=ticket, assignee=agent)
    run_queued_tasks()

    sent = sorted(OutgoingEmail.objects.values_list("to", flat=True))
    assert sent == sorted(
        ["agent@example.com", "colleague@example.com", "pat@example.com", "boss@example.com"]
    )
    assert set(OutgoingEmail.objects.values_list("subject", flat=True)) == {"Medium: Jam"}
    assert sorted(firings(rule)[0].actions[0]["detail"]["to"]) == sent


def test_a_contact_with_a_help_centre_account_is_written_in_their_language(
    administrator, department, account
):
    contact = f.ContactFactory(account=account, email="pat@example.com")
    user = f.customer_of(contact)
    Preferences.objects.create(user=user, language="zh-hans")
    make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED,
        alert_template=template(administrator, department),
        alert_contact=True,
    )
    open_ticket(administrator, department, account, contact=contact, subject="Jam")
    run_queued_tasks()
    with translation.override("zh-hans"):
        medium = str(Priority.MEDIUM.label)
    assert medium != "Medium"
    assert [e.subject for e in emails_to("pat@example.com")] == [f"{medium}: Jam"]


def test_other_addresses_are_written_in_the_desks_language(
    settings, administrator, department, account
):
    settings.LANGUAGE_CODE = "zh-hans"
    make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED,
        alert_template=template(administrator, department),
        alert_addresses="ops@example.com",
    )
    open_ticket(administrator, department, account, subject="Jam", priority=Priority.URGENT)
    run_queued_tasks()
    assert [e.subject for e in emails_to("ops@example.com")] == ["紧急: Jam"]


def test_an_alert_with_nobody_to_write_to_is_a_failed_action(administrator, department, account):
    rule = make_rule(
        administrator,
        department,
        trigger=Trigger.CREATED,
        alert_template=template(administrator, department),
        alert_contract_owner=True,  # a ticket without a contract has no owner
    )
    open_ticket(administrator, department, account)
    run_queued_tasks()
    (firing,) = firings(rule)
    assert firing.outcome == Firing.Outcome.FAILED
    assert firing.actions == [
        {"action": "alert", "ok": False, "detail": {"to": []}, "error": "no recipient"}
    ]
    assert not OutgoingEmail.objects.exists()


# --- tasks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "amount", "delta"),
    [
        ("minutes", 30, datetime.timedelta(minutes=30)),
        ("hours", 2, datetime.timedelta(hours=2)),
        ("days", 3, datetime.timedelta(days=3)),
        ("months", 1, relativedelta(months=1)),
    ],
)
def test_a_rules_task_is_due_its_time_after_the_rule_fired(
    administrator, agent, department, account, unit, amount, delta
):
    rule = make_rule(
        administrator,
        department,
        name="Call the customer",
        trigger=Trigger.CREATED,
        task_subject="Call back",
        task_description="Ask about the printer",
        task_assignee=agent,
        task_priority=Priority.HIGH,
        task_due_in=amount,
        task_due_unit=unit,
    )
    ticket = open_ticket(administrator, department, account)
    run_queued_tasks()

    (firing,) = firings(rule)
    (task,) = tasks_of(rule)
    assert task.due_at == firing.fired_at + delta
    assert (task.subject, task.description, task.priority) == (
        "Call back",
        "Ask about the printer",
        Priority.HIGH,
    )
    assert (task.ticket, task.assignee, task.created_by) == (ticket, agent, administrator)
    assert task.rule_name == "Call the customer"
    assert task.department == department
    assert firing.actions == [
        {"action": "task", "ok": True, "detail": {"subject": "Call back", "task": task.pk}}
    ]


def test_a_task_without_an_assignee_goes_to_the_tickets_assignee(
    administrator, agent, department, account
):
    rule = make_rule(
        administrator,
        department,
        trigger=Trigger.FIELDS_UPDATED,
        trigger_fields=["assignee"],
        task_subject="Introduce yourself",
    )
    ticket = open_ticket(administrator, department, account)
    ticket_update(by=administrator, ticket=ticket, assignee=agent)
    run_queued_tasks()
    assert [(t.assignee, t.rule_name) for t in tasks_of(rule)] == [(agent, rule.name)]


def test_a_task_after_the_rules_assignment_goes_to_the_assignee_it_set(
    administrator, agent, department, account
):
    rule = make_rule(
        administrator, department, trigger=Trigger.CREATED, set_assignee=agent, task_subject="Go"
    )
    open_ticket(administrator, department, account)
    run_queued_tasks()
    assert [t.assignee for t in tasks_of(rule)] == [agent]


# --- transactions and query counts ----------------------------------------------------------


def test_a_change_rolled_back_queues_no_rule_run(administrator, department, account):
    make_rule(administrator, department, trigger=Trigger.CREATED, task_subject="Call back")

    with pytest.raises(RuntimeError), transaction.atomic():
        open_ticket(administrator, department, account)
        assert queued_runs().count() == 1
        raise RuntimeError

    assert not queued_runs().exists()
    assert run_queued_tasks() == 0
    assert not Firing.objects.exists() and not Task.objects.exists()


def count_queries(work) -> int:
    with CaptureQueriesContext(connection) as queries:
        work()
    return len(queries)


def test_the_queries_a_ticket_save_adds_do_not_grow_with_the_rules(
    administrator, department, account
):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    make_rule(administrator, department, trigger=Trigger.EDITED, task_subject="Look")
    tickets = [open_ticket(administrator, department, account) for _ in range(4)]

    def edit(ticket):
        by = User.objects.get(pk=administrator.pk)  # no permission cache carried over
        return lambda: ticket_update(by=by, ticket=ticket, priority=Priority.HIGH)

    count_queries(edit(tickets[0]))  # warm the caches
    with_one = count_queries(edit(tickets[1]))
    for _ in range(29):
        make_rule(administrator, department, trigger=Trigger.EDITED, task_subject="Look")
    assert Rule.objects.active().filter(department=department).count() == 30
    # The first change after the rules changed reads what they listen for, once.
    assert count_queries(edit(tickets[2])) == with_one + 1
    with_thirty = count_queries(edit(tickets[3]))

    assert with_thirty == with_one
    assert queued_runs().count() == 4


@pytest.mark.parametrize("alert", [False, True])
def test_the_ticket_is_read_again_after_a_field_update_only_for_the_actions_after_it(
    administrator, department, account, alert
):
    """An alert after a field update reads the ticket as the update left it; a rule that only
    updates fields (a time-based rule raising the priority) does not read it again."""
    fields = {"alert_template": template(administrator, department), "alert_assignee": True}
    rule = make_rule(
        administrator,
        department,
        trigger=Trigger.EDITED,
        set_priority=Priority.URGENT,
        **(fields if alert else {}),
    )
    ticket = open_ticket(administrator, department, account)
    facts = criteria.Facts(Module.TICKETS, ticket)
    with CaptureQueriesContext(connection) as queries:
        engine.fire(rule, ticket, facts=facts, trigger=Trigger.TIME_PASSED)
    reads = [q for q in queries if q["sql"].startswith('SELECT "tickets_ticket"."id"')]
    assert len(reads) == (2 if alert else 1)  # the update's lock; for the alert, the reload
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.URGENT


def test_a_run_adds_a_small_constant_number_of_queries_per_firing(administrator):
    """engine.run reads the rules, the record and the credits once; each firing then costs the
    same few queries (its savepoint, its log row written and completed, the alert's outbox rows
    and delivery task), whatever the number of rules: it grows by a constant per firing."""
    boss = f.desk_admin()

    def setup(rules: int):
        department = f.DepartmentFactory(name=f"Desk of {rules}")
        alert = template(boss, department)
        for _ in range(rules):
            make_rule(
                boss,
                department,
                trigger=Trigger.CREATED,
                alert_template=alert,
                alert_addresses="ops@example.com",
            )
        ticket = open_ticket(boss, department, f.AccountFactory())
        return ticket

    def run(ticket) -> int:
        event = engine.Event(
            module=Module.TICKETS,
            record_id=ticket.pk,
            department_id=ticket.department_id,
            created=True,
        )
        made = []
        queries = count_queries(lambda: made.extend(engine.run(event)))
        assert all(firing.outcome == Firing.Outcome.DONE for firing in made)
        return queries

    tickets = {n: setup(n) for n in (1, 2, 20)}
    for ticket in tickets.values():
        run(ticket)  # warm the caches
    one, two, twenty = (run(tickets[n]) for n in (1, 2, 20))

    per_firing = two - one
    assert 0 < per_firing <= 12
    assert twenty == one + 19 * per_firing
