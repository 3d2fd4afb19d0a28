"""The automation panels of other pages: a ticket's and a contract's tasks and the rules that
fired on them (each action in words; the rule's name a link for those who manage automation),
the home page's My tasks card, and a rule's field update in the ticket's history."""

import datetime

import pytest
from django.utils import timezone, translation

from automation import services
from automation.models import Firing, Module, Rule, WebhookDelivery
from desk.history import HistoryEntry
from tests import factories as f
from tests.conftest import run_queued_tasks, signed_in
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

Trigger = Rule.Trigger


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Acme")


@pytest.fixture
def ticket(department, account):
    return f.TicketFactory(department=department, account=account, subject="Toner")


@pytest.fixture
def contract(department, account):
    plan = f.SupportPlanFactory(
        department=department, ticket_based=True, credit_cycle="monthly", credit_limit=5
    )
    return f.ContractFactory(support_plan=plan, account=account, name="Acme support")


@pytest.fixture
def rule(administrator, department):
    return services.rule_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        name="Escalate urgent",
        trigger=Trigger.CREATED,
        task_subject="Look",
    )


@pytest.fixture
def contract_rule(administrator, department):
    return services.rule_create(
        by=administrator,
        department=department,
        module=Module.CONTRACTS,
        name="Welcome contract",
        trigger=Trigger.CREATED,
        task_subject="Welcome call",
        task_assignee=administrator,
    )


def section(html: str, id_: str) -> str:
    start = html.index(f'<section id="{id_}"')
    return html[start : html.index("</section>", start)]


def fire(rule, **record) -> Firing:
    delivery_url = "https://hooks.example.com/desk"
    firing = Firing.objects.create(
        rule=rule, trigger=Trigger.CREATED, outcome=Firing.Outcome.FAILED, **record
    )
    delivery = WebhookDelivery.objects.create(
        firing=firing, url=delivery_url, body="{}", attempts=1, delivered_at=timezone.now()
    )
    firing.actions = [
        {
            "action": "field_update",
            "ok": True,
            "detail": {"status": "resolved", "priority": "urgent", "assignee": ""},
        },
        {"action": "alert", "ok": False, "detail": {"to": []}, "error": "no recipient"},
        {"action": "task", "ok": True, "detail": {"subject": "Look", "task": 1}},
        {"action": "webhook", "ok": True, "detail": {"url": delivery_url, "delivery": delivery.pk}},
    ]
    firing.save()
    return firing


# --- the ticket page --------------------------------------------------------------------------


def test_the_ticket_page_shows_the_rules_that_fired_in_words(agent_client, ticket, rule):
    firing = fire(rule, ticket=ticket)

    html = agent_client.get(ticket.get_absolute_url()).content.decode()

    log = section(html, "rule-firings")
    row = log[log.index(f'id="firing-{firing.pk}"') :]
    assert "Escalate urgent" in row and rule.get_absolute_url() not in row  # an agent
    assert "Created" in row and "An action failed" in row
    assert "Field update: Status → Resolved, Priority → Urgent" in row
    assert "Alert not sent: nobody to write to" in row
    assert "Task made: Look" in row
    assert "Webhook queued for https://hooks.example.com/desk" in row
    assert "<script" not in log and "style=" not in log


def test_the_rule_name_links_to_the_rule_for_those_who_manage_automation(
    admin_client, ticket, rule
):
    fire(rule, ticket=ticket)
    log = section(admin_client.get(ticket.get_absolute_url()).content.decode(), "rule-firings")
    assert f'<a href="{rule.get_absolute_url()}">Escalate urgent</a>' in log


def test_a_ticket_without_firings_or_tasks_says_so(agent_client, ticket):
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "No workflow rule has fired on this ticket." in section(html, "rule-firings")
    assert "No tasks." in section(html, "tasks")


def test_only_the_tickets_own_firings_and_tasks_are_shown(agent, agent_client, ticket, rule):
    other = f.TicketFactory(department=ticket.department, subject="Other")
    fire(rule, ticket=other)
    services.task_create(
        by=agent, subject="Elsewhere", ticket=other, due_at=timezone.now(), assignee=agent
    )
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert "Escalate urgent" not in section(html, "rule-firings")
    assert "Elsewhere" not in section(html, "tasks")


def test_the_ticket_page_lists_tasks_open_first_with_buttons(agent, agent_client, ticket):
    late = services.task_create(
        by=agent,
        subject="Late one",
        ticket=ticket,
        assignee=agent,
        due_at=timezone.now() - datetime.timedelta(hours=1),
    )
    done = services.task_create(
        by=agent, subject="Done one", ticket=ticket, assignee=agent, due_at=timezone.now()
    )
    services.task_complete(by=agent, task=done)

    panel = section(agent_client.get(ticket.get_absolute_url()).content.decode(), "tasks")

    assert panel.index("Late one") < panel.index("Done one")
    late_row = panel[panel.index(f'id="task-{late.pk}"') :]
    late_row = late_row[: late_row.index("</tr>")]
    assert "Overdue" in late_row and f'action="/tasks/{late.pk}/done/"' in late_row
    assert f'value="{ticket.get_absolute_url()}#tasks"' in late_row
    done_row = panel[panel.index(f'id="task-{done.pk}"') :]
    assert f'action="/tasks/{done.pk}/reopen/"' in done_row[: done_row.index("</tr>")]


def test_a_rule_field_update_shows_in_the_history_as_the_rules(administrator, department, account):
    services.rule_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        name="Raise it",
        trigger=Trigger.CREATED,
        set_priority="high",
    )
    ticket = ticket_create(by=administrator, account=account, department=department, subject="Hi")
    run_queued_tasks()

    html = signed_in(administrator).get(ticket.get_absolute_url()).content.decode()
    history = html[html.index('class="table table-sm history"') :]
    assert '<div class="history-reason">Workflow rule: Raise it</div>' in history


def test_the_rule_reason_is_read_in_the_readers_language(monkeypatch):
    from desk import history

    class Record:
        history_change_reason = "Workflow rule: Raise it"

    monkeypatch.setattr(history, "WORKFLOW_RULE_REASON", "规则：%(name)s")
    with translation.override("zh-hans"):
        assert HistoryEntry(record=Record(), changes=[]).reason == "规则：Raise it"
    Record.history_change_reason = "Workflow rules are nice"  # no prefix: as written
    assert HistoryEntry(record=Record(), changes=[]).reason == "Workflow rules are nice"


def test_the_engines_reason_starts_with_the_historys_prefix(rule):
    from automation.actions import rule_reason
    from desk.history import WORKFLOW_RULE_PREFIX

    assert rule_reason(rule) == f"{WORKFLOW_RULE_PREFIX}{rule.name}"


# --- the contract page ------------------------------------------------------------------------


def test_the_contract_page_shows_its_tasks_and_firings(
    administrator, admin_client, contract, contract_rule
):
    firing = fire(contract_rule, contract=contract)
    task = services.task_create(
        by=administrator,
        subject="Welcome call",
        contract=contract,
        assignee=administrator,
        due_at=timezone.now() + datetime.timedelta(days=1),
        rule=contract_rule,
    )

    html = admin_client.get(contract.get_absolute_url()).content.decode()

    log = section(html, "rule-firings")
    assert f'id="firing-{firing.pk}"' in log and "Welcome contract" in log
    panel = section(html, "tasks")
    assert f'id="task-{task.pk}"' in panel and "Made by the rule:" in panel
    assert f'value="{contract.get_absolute_url()}#tasks"' in panel
    assert 'id="task-add-form"' not in panel  # tasks are added by hand on tickets


def test_a_contract_without_firings_says_so(admin_client, contract):
    html = admin_client.get(contract.get_absolute_url()).content.decode()
    assert "No workflow rule has fired on this contract." in section(html, "rule-firings")


# --- the home page ----------------------------------------------------------------------------


def test_the_home_card_counts_open_and_overdue_and_lists_the_next(
    agent, agent_client, department, ticket
):
    for n in range(7):
        services.task_create(
            by=agent,
            subject=f"Task {n}",
            ticket=ticket if n == 0 else None,
            department=department,
            assignee=agent,
            due_at=timezone.now() + datetime.timedelta(hours=n - 2, minutes=30),
        )
    done = services.task_create(
        by=agent, subject="Done", department=department, assignee=agent, due_at=timezone.now()
    )
    services.task_complete(by=agent, task=done)
    services.task_create(
        by=agent,
        subject="Colleague's",
        department=department,
        assignee=f.AgentFactory(departments=[department]),
        due_at=timezone.now(),
    )

    html = agent_client.get("/").content.decode()

    card = html[html.index('id="home-tasks"') :]
    card = card[: card.index("All my tasks")]
    assert '<p class="display-6 mb-1" id="home-tasks-open">7</p>' in card
    assert "2 overdue" in card
    assert card.count("<li>") == 5  # the next five
    assert f'href="{ticket.get_absolute_url()}#tasks">Task 0</a>' in card
    assert "Task 5" not in card and "Done" not in card and "Colleague" not in card


def test_the_home_card_with_no_tasks(agent_client):
    html = agent_client.get("/").content.decode()
    card = html[html.index('id="home-tasks"') :]
    assert '<p class="display-6 mb-1" id="home-tasks-open">0</p>' in card
    assert "0 overdue" in card
