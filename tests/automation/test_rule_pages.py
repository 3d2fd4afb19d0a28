"""The workflow rule pages (SPEC section 10): the list, a rule's form with its condition rows and
pattern, its page (the rule in words, *Test against…*, the log), and the POST-only changes, as a
person uses them; who may (403), and the department wall (404)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from automation import services
from automation.forms import TOO_MANY_CONDITIONS
from automation.models import Firing, Module, Rule
from desk.choices import Priority
from tests import factories as f
from tests.conftest import run_queued_tasks, signed_in
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

LIST = "/settings/automation/workflow-rules/"
NEW = LIST + "new/"
CHOICE_FIELDS = {"has_contract", "support_plan", "plan_type", "sla", "priority", "status"}
CHOICE_FIELDS |= {"assignee", "owner"}


def rows_data(rows, total=None) -> dict:
    """The criteria formset's POST data for ``rows`` of (field, operator, value)."""
    data = {
        "criteria-TOTAL_FORMS": str(total if total is not None else len(rows)),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "25",
    }
    for index, row in enumerate(rows):
        if row is None:  # a blank row, as a browser posts it
            data.update({f"criteria-{index}-{name}": "" for name in ("field", "operator")})
            continue
        field, operator, value = row
        data[f"criteria-{index}-field"] = field
        data[f"criteria-{index}-operator"] = operator
        if field in CHOICE_FIELDS:
            data[f"criteria-{index}-value_choice"] = f"{field}:{value}" if value else ""
        else:
            data[f"criteria-{index}-value_text"] = "" if value is None else str(value)
    return data


def rule_data(department, *, module="tickets", rows=(), **fields) -> dict:
    data = {
        "module": module,
        "name": "Urgent tickets under a ticket-based plan",
        "department": str(department.pk),
        "is_active": "on",
        "trigger": Rule.Trigger.CREATED,
        "join": "and",
        "pattern": "",
        "task_priority": "medium",
        "task_due_in": "1",
        "task_due_unit": "days",
        **rows_data(list(rows)),
    }
    data.update({name: value for name, value in fields.items() if value is not None})
    return data


def make_rule(by, department, module=Module.TICKETS, **fields):
    fields.setdefault("name", "A rule")
    fields.setdefault("trigger", Rule.Trigger.CREATED)
    fields.setdefault("task_subject", "Call back")
    return services.rule_create(by=by, department=department, module=module, **fields)


def team_lead(department):
    """Manages automation in ``department`` only (an administrator sees every department)."""
    lead = f.AgentFactory(username="lead", departments=[department])
    lead.user_permissions.add(
        Permission.objects.get(content_type__app_label="desk", codename="manage_automation")
    )
    return lead


def ticket_template(by, department, name="Urgent alert"):
    return services.template_create(
        by=by,
        department=department,
        module=Module.TICKETS,
        name=name,
        subject="Urgent: {ticket.subject}",
        body="Plan {plan.name}, {credits.left} credits left.",
    )


@pytest.fixture
def ticket_based_plan(department):
    return f.SupportPlanFactory(
        department=department,
        name="Ten a month",
        plan_type="ticket_based",
        credit_cycle="monthly",
        credit_limit=3,
    )


# --- the form -------------------------------------------------------------------------------


def test_the_list_offers_a_rule_for_tickets_or_contracts_and_says_when_there_is_none(
    admin_client,
):
    page = admin_client.get(LIST).content.decode()
    assert f'href="{NEW}?module=tickets"' in page
    assert f'href="{NEW}?module=contracts"' in page
    assert 'id="no-rules"' in page


def test_new_without_a_module_asks_which(admin_client):
    for address in (NEW, NEW + "?module=mood"):
        response = admin_client.get(address)
        assert response.status_code == 200
        assert response.context["choose_module"] is True
    response = admin_client.post(NEW, {"module": "mood", "name": "x"})
    assert response.status_code == 200
    assert not Rule.objects.exists()


def test_the_ticket_form_offers_the_ticket_triggers_and_the_contract_form_its_own(admin_client):
    tickets = admin_client.get(NEW + "?module=tickets").context["form"]
    contracts = admin_client.get(NEW + "?module=contracts").context["form"]
    ticket_triggers = {value for value, _label in tickets.fields["trigger"].choices}
    contract_triggers = {value for value, _label in contracts.fields["trigger"].choices}
    assert "customer_reply" in ticket_triggers and "credit_changed" not in ticket_triggers
    assert "credit_changed" in contract_triggers and "agent_reply" not in contract_triggers
    assert "time_passed" not in ticket_triggers | contract_triggers
    assert "set_status" in tickets.fields and "set_status" not in contracts.fields
    assert "once_per_cycle" in contracts.fields and "once_per_cycle" not in tickets.fields


def test_an_administrator_makes_a_rule_with_conditions_and_a_pattern(
    admin_client, administrator, agent, department, ticket_based_plan
):
    template = ticket_template(administrator, department)
    rows = [
        ("plan_type", "is", "ticket_based"),
        ("priority", "is", "urgent"),
        ("subject", "contains", "outage"),
    ]
    data = rule_data(
        department,
        rows=rows,
        pattern="1 and (2 or 3)",
        set_assignee=str(agent.pk),
        alert_template=str(template.pk),
        alert_contract_owner="on",
    )
    response = admin_client.post(NEW, data)

    rule = Rule.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("automation:rule_detail", args=[rule.pk])
    assert rule.module == Module.TICKETS
    assert rule.department == department
    assert rule.criteria == [
        {"field": "plan_type", "operator": "is", "value": "ticket_based"},
        {"field": "priority", "operator": "is", "value": "urgent"},
        {"field": "subject", "operator": "contains", "value": "outage"},
    ]
    assert rule.pattern == "1 and (2 or 3)"
    assert rule.set_assignee == agent
    assert rule.alert_template == template
    assert rule.alert_contract_owner is True
    assert rule.owner == administrator
    assert rule.is_active

    page = admin_client.get(response.url).content.decode()
    assert "Pattern: 1 and (2 or 3)" in page
    assert "Ticket-based" in page and "Urgent" in page and "outage" in page
    assert "Urgent alert" in page
    assert "Runs as" in page and administrator.get_full_name() in page


def test_blank_rows_are_ignored_and_the_rest_numbered_in_order(
    admin_client, department, ticket_based_plan
):
    rows = [None, ("priority", "is", "urgent"), None, ("subject", "contains", "down"), None]
    data = rule_data(department, rows=rows, pattern="1 or 2", task_subject="Look")
    response = admin_client.post(NEW, data)
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert [row["field"] for row in rule.criteria] == ["priority", "subject"]
    assert rule.pattern == "1 or 2"


def test_no_conditions_is_a_rule_that_always_holds(admin_client, department):
    response = admin_client.post(NEW, rule_data(department, task_subject="Look"))
    assert response.status_code == 302
    assert Rule.objects.get().criteria == []


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("1 and (2", "A bracket in the pattern is not closed."),
        ("1 and 3", "The pattern names condition 3, but there are 2."),
        ("1", "The pattern leaves out condition(s) 2: use every condition."),
        ("1 + 2", "The pattern holds “+”: use numbers, and, or, and brackets."),
    ],
)
def test_a_bad_pattern_shows_its_message_and_saves_nothing(
    admin_client, department, pattern, message
):
    rows = [("priority", "is", "urgent"), ("subject", "contains", "down")]
    data = rule_data(department, rows=rows, pattern=pattern, task_subject="Look")
    response = admin_client.post(NEW, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["form"].errors["pattern"] == [message]
    assert not Rule.objects.exists()
    # What was typed stays on the form.
    assert response.context["form"]["pattern"].value() == pattern
    assert len(response.context["formset"].criteria()) == 2


def test_an_operator_the_field_does_not_take_is_refused_with_its_row(admin_client, department):
    rows = [("subject", "contains", "down"), ("priority", "contains", "urgent")]
    response = admin_client.post(NEW, rule_data(department, rows=rows, task_subject="Look"))
    assert response.status_code == 200
    message = "Condition 2: “contains” does not apply to Priority."
    assert message in response.context["formset"].non_form_errors()
    assert message in response.content.decode()
    assert not Rule.objects.exists()


def test_a_value_a_field_does_not_offer_or_a_bad_number_is_refused(admin_client, department):
    rows = [("credits_left", "lt", "two"), ("has_contract", "is", "")]
    response = admin_client.post(NEW, rule_data(department, rows=rows, task_subject="Look"))
    errors = response.context["formset"].non_form_errors()
    assert "Condition 1: Enter a whole number." in errors
    assert "Condition 2: Choose one of the values offered." in errors
    assert not Rule.objects.exists()


def test_a_value_of_another_field_is_refused_on_its_row(admin_client, department):
    data = rule_data(department, rows=[("priority", "is", "urgent")], task_subject="Look")
    data["criteria-0-value_choice"] = "status:open"
    response = admin_client.post(NEW, data)
    row = response.context["formset"].forms[0]
    assert row.errors["value_choice"] == [
        "Choose a value of “Priority”: this one belongs to another field."
    ]
    assert not Rule.objects.exists()


def test_a_row_without_a_field_or_operator_says_so(admin_client, department):
    data = rule_data(department, rows=[("", "is", "down"), ("subject", "", "down")])
    response = admin_client.post(NEW, data)
    forms = response.context["formset"].forms
    assert forms[0].errors["field"] == ["Choose a field."]
    assert forms[1].errors["operator"] == ["Choose an operator."]
    assert not Rule.objects.exists()


def test_more_than_25_conditions_are_refused(admin_client, department):
    rows = [("subject", "contains", f"word{n}") for n in range(26)]
    response = admin_client.post(NEW, rule_data(department, rows=rows, task_subject="Look"))
    assert str(TOO_MANY_CONDITIONS % {"num": 25}) in response.context["formset"].non_form_errors()
    assert not Rule.objects.exists()


def test_a_rule_without_an_action_or_with_a_bad_action_says_which(admin_client, department):
    response = admin_client.post(NEW, rule_data(department))
    assert str(services.NO_ACTION) in response.context["form"].non_field_errors()
    response = admin_client.post(
        NEW,
        rule_data(
            department,
            task_subject="Look",
            alert_contract_owner="on",
            alert_addresses="not an address",
            webhook_url="ftp://example.com/",
        ),
    )
    errors = response.context["form"].errors
    assert errors["alert_template"] == [str(services.RECIPIENTS_WITHOUT_TEMPLATE)]
    assert errors["alert_addresses"] == ["Not email addresses: not an address."]
    assert errors["webhook_url"]
    assert not Rule.objects.exists()


def test_chosen_fields_updated_needs_its_fields(admin_client, department):
    data = rule_data(department, trigger="fields_updated", task_subject="Look")
    response = admin_client.post(NEW, data)
    assert response.context["form"].errors["trigger_fields"] == [
        str(services.CHOOSE_TRIGGER_FIELDS)
    ]
    data["trigger_fields"] = ["status", "priority"]
    response = admin_client.post(NEW, data)
    assert response.status_code == 302
    assert Rule.objects.get().trigger_fields == ["status", "priority"]


def test_a_contract_rule_fires_on_credits_once_per_cycle(admin_client, department):
    data = rule_data(
        department,
        module="contracts",
        trigger="credit_changed",
        once_per_cycle="on",
        rows=[("credits_left", "lte", "1")],
        task_subject="Offer an upgrade",
    )
    response = admin_client.post(NEW, data)
    assert response.status_code == 302
    rule = Rule.objects.get()
    assert (rule.module, rule.trigger, rule.once_per_cycle) == ("contracts", "credit_changed", True)
    assert rule.criteria == [{"field": "credits_left", "operator": "lte", "value": 1}]


def test_edit_shows_the_rule_and_saves_changes_keeping_module_and_department(
    admin_client, administrator, department, other_department
):
    rule = make_rule(
        administrator,
        department,
        criteria=[{"field": "priority", "operator": "is", "value": "urgent"}],
    )
    address = reverse("automation:rule_edit", args=[rule.pk])
    response = admin_client.get(address)
    formset = response.context["formset"]
    assert formset.forms[0]["value_choice"].value() == "priority:urgent"
    assert response.context["form"].fields["department"].disabled
    rows = [("priority", "is", "high"), ("subject", "starts_with", "Down")]
    data = rule_data(other_department, rows=rows, name="Renamed", task_subject="Call")
    data.pop("module")
    response = admin_client.post(address, data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.name == "Renamed"
    assert rule.department == department  # fixed
    assert rule.module == Module.TICKETS
    assert [row["value"] for row in rule.criteria] == ["high", "Down"]


# --- the limit ------------------------------------------------------------------------------


def test_the_limit_is_refused_with_a_message_on_create(
    admin_client, administrator, department, settings
):
    settings.AUTOMATION_RULES_PER_DEPARTMENT = 1
    make_rule(administrator, department)
    response = admin_client.post(NEW, rule_data(department, task_subject="Look"))
    assert response.status_code == 200
    message = str(services.LIMIT_REACHED % {"limit": 1})
    assert message in response.context["form"].non_field_errors()
    assert message in response.content.decode()
    assert Rule.objects.count() == 1
    # An inactive rule is no active rule: it may be made.
    data = rule_data(department, task_subject="Look")
    data.pop("is_active")
    assert admin_client.post(NEW, data).status_code == 302
    assert Rule.objects.filter(is_active=False).count() == 1


def test_the_limit_is_refused_with_a_message_on_reactivation(
    admin_client, administrator, department, settings
):
    settings.AUTOMATION_RULES_PER_DEPARTMENT = 1
    inactive = make_rule(administrator, department, is_active=False, name="Later")
    make_rule(administrator, department, name="Now")
    address = reverse("automation:rule_set_active", args=[inactive.pk])
    response = admin_client.post(address, {"is_active": "true"}, follow=True)
    assert str(services.LIMIT_REACHED % {"limit": 1}) in response.content.decode()
    inactive.refresh_from_db()
    assert inactive.is_active is False


# --- list, order, active --------------------------------------------------------------------


def listed_order(client) -> list[int]:
    page = client.get(LIST).content.decode()
    return [int(pk) for pk in re.findall(r'<tr id="rule-(\d+)"', page)]


def test_reorder_moves_a_rule_up_and_down_its_list(admin_client, administrator, department):
    first, second, third = (make_rule(administrator, department, name=n) for n in "ABC")
    assert listed_order(admin_client) == [first.pk, second.pk, third.pk]
    response = admin_client.post(reverse("automation:rule_move", args=[third.pk]), {"up": "1"})
    assert response.status_code == 302
    assert listed_order(admin_client) == [first.pk, third.pk, second.pk]
    admin_client.post(reverse("automation:rule_move", args=[first.pk]), {"up": "0"})
    assert listed_order(admin_client) == [third.pk, first.pk, second.pk]
    # The first cannot go further up: nothing changes.
    admin_client.post(reverse("automation:rule_move", args=[third.pk]), {"up": "1"})
    assert listed_order(admin_client) == [third.pk, first.pk, second.pk]


def test_the_list_groups_rules_by_department_then_module(
    admin_client, administrator, department, other_department
):
    make_rule(administrator, department, name="Ticket rule")
    make_rule(administrator, department, Module.CONTRACTS, name="Contract rule")
    make_rule(administrator, other_department, name="Hardware rule")
    groups = admin_client.get(LIST).context["departments"]
    assert [g["department"].name for g in groups] == ["Hardware", "Support"]
    assert [m["module"] for m in groups[1]["modules"]] == ["contracts", "tickets"]


def test_activate_and_deactivate(admin_client, administrator, department):
    rule = make_rule(administrator, department)
    address = reverse("automation:rule_set_active", args=[rule.pk])
    response = admin_client.post(address, {"is_active": "false", "next": LIST})
    assert response.status_code == 302 and response.url == LIST
    rule.refresh_from_db()
    assert rule.is_active is False
    assert "Inactive" in admin_client.get(LIST).content.decode()
    admin_client.post(address, {"is_active": "true", "next": "https://evil.example/"})
    rule.refresh_from_db()
    assert rule.is_active is True
    # GET changes nothing.
    assert admin_client.get(address).status_code == 405


def test_delete_asks_then_deletes(admin_client, administrator, department):
    rule = make_rule(administrator, department, name="Old rule")
    address = reverse("automation:rule_delete", args=[rule.pk])
    response = admin_client.get(address)
    assert response.status_code == 200
    assert "Old rule" in response.content.decode()
    assert Rule.objects.filter(pk=rule.pk).exists()
    response = admin_client.post(address)
    assert response.status_code == 302 and response.url == LIST
    assert not Rule.objects.filter(pk=rule.pk).exists()


def test_list_page_queries_do_not_grow_with_the_rules(admin_client, administrator, department):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(LIST).status_code == 200
        return len(captured)

    for n in range(3):
        make_rule(administrator, department, name=f"Rule {n}")
    queries()  # the first request reads the session's and permissions' caches
    few = queries()
    for n in range(3, 20):
        make_rule(administrator, department, Module.CONTRACTS if n % 2 else "tickets", name=f"{n}")
    assert queries() == few


# --- a rule's page --------------------------------------------------------------------------


@pytest.fixture
def urgent_rule(administrator, agent, department, ticket_based_plan):
    template = ticket_template(administrator, department)
    return services.rule_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        name="Urgent under a ticket-based plan",
        trigger=Rule.Trigger.CREATED,
        criteria=[
            {"field": "plan_type", "operator": "is", "value": "ticket_based"},
            {"field": "priority", "operator": "is", "value": "urgent"},
        ],
        set_assignee=agent,
        alert_template=template,
        alert_contract_owner=True,
        webhook_url="https://hooks.example.com/desk",
    )


def test_test_against_explains_a_non_match_criterion_by_criterion(
    admin_client, administrator, department, ticket_based_plan, urgent_rule
):
    contract = f.ContractFactory(support_plan=ticket_based_plan)
    ticket = f.TicketFactory(
        department=department, account=contract.account, contract=contract, priority="medium"
    )
    address = reverse("automation:rule_detail", args=[urgent_rule.pk])
    response = admin_client.get(address, {"record": str(ticket.pk)})
    assert response.status_code == 200
    rows = response.context["test_rows"]
    assert [(r["number"], r["holds"]) for r in rows] == [(1, True), (2, False)]
    assert rows[1]["actual"] == "Medium" and rows[1]["value"] == "Urgent"
    assert rows[0]["actual"] == "Ticket-based"
    assert response.context["test_holds"] is False
    page = response.content.decode()
    failing = re.search(r'<tr class="test-row test-fails[^"]*">(.*?)</tr>', page, re.S).group(1)
    assert "Priority" in failing and "Medium" in failing and "✗" in failing
    assert "does not hold" in failing
    assert "The conditions do not hold" in page
    # What it would do, without doing it: the alert rendered, the owner its recipient.
    would = {action["kind"]: action for action in response.context["would"]}
    assert would["alert"]["to"] == [contract.owner.email]
    assert would["alert"]["subject"] == f"Urgent: {ticket.subject}"
    assert "Ten a month" in would["alert"]["body"]
    assert would["webhook"]["url"] == "https://hooks.example.com/desk"
    assert not Firing.objects.exists()
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_test_against_a_match_and_a_record_that_is_not_yours(
    admin_client, department, other_department, ticket_based_plan, urgent_rule
):
    contract = f.ContractFactory(support_plan=ticket_based_plan)
    ticket = f.TicketFactory(
        department=department, account=contract.account, contract=contract, priority="urgent"
    )
    address = reverse("automation:rule_detail", args=[urgent_rule.pk])
    response = admin_client.get(address, {"record": f"#{ticket.pk}"})
    assert response.context["test_holds"] is True
    assert all(row["holds"] for row in response.context["test_rows"])
    assert "The conditions hold" in response.content.decode()

    elsewhere = f.TicketFactory(department=other_department)
    for number in (str(elsewhere.pk), "999999", "abc", "9" * 30):
        response = admin_client.get(address, {"record": number})
        assert response.status_code == 200
        assert "is yours to see" in response.context["test_error"]
        assert "record" not in response.context
    response = admin_client.get(address, {"record": ""})
    assert response.context["test_error"] == "Enter a ticket number."


def test_test_against_a_contract_by_its_number(admin_client, administrator, department):
    plan = f.SupportPlanFactory(department=department)
    contract = f.ContractFactory(support_plan=plan, contract_number="C-777")
    rule = make_rule(
        administrator,
        department,
        Module.CONTRACTS,
        criteria=[{"field": "contract_number", "operator": "starts_with", "value": "C-"}],
    )
    address = reverse("automation:rule_detail", args=[rule.pk])
    for number in ("c-777", str(contract.pk)):
        response = admin_client.get(address, {"record": number})
        assert response.context["record"] == contract
        assert response.context["test_holds"] is True


def urgent_ticket(administrator, contract, department, subject):
    """An urgent ticket of ``contract``'s account: what ``urgent_rule`` fires for."""
    return ticket_create(
        by=administrator,
        subject=subject,
        account=contract.account,
        department=department,
        priority=Priority.URGENT,
    )


def test_the_rule_page_shows_the_log_and_the_firings_of_the_last_7_days(
    admin_client, administrator, department, ticket_based_plan, urgent_rule
):
    contract = f.ContractFactory(support_plan=ticket_based_plan)
    ticket = urgent_ticket(administrator, contract, department, "Server down")
    run_queued_tasks()
    firing = Firing.objects.get(rule=urgent_rule)
    response = admin_client.get(reverse("automation:rule_detail", args=[urgent_rule.pk]))
    assert response.context["recent_firings"] == 1
    page = response.content.decode()
    assert "Fired 1 time in the last 7 days" in page
    assert f'id="firing-{firing.pk}"' in page
    assert f"#{ticket.pk} Server down" in page
    assert "Field update: Assignee →" in page
    assert f"Alert emailed to {contract.owner.email}" in page
    assert "Webhook to https://hooks.example.com/desk" in page
    assert "X-Desk-Signature-256" in page
    assert urgent_rule.webhook_secret in page


def test_a_failed_action_shows_its_error_and_a_webhook_its_attempts(
    admin_client, administrator, department
):
    from automation.models import WebhookAttempt, WebhookDelivery

    rule = make_rule(administrator, department, webhook_url="https://hooks.example.com/x")
    ticket = f.TicketFactory(department=department)
    firing = Firing.objects.create(
        rule=rule,
        ticket=ticket,
        trigger="created",
        outcome=Firing.Outcome.FAILED,
        actions=[],
    )
    delivery = WebhookDelivery.objects.create(firing=firing, url=rule.webhook_url, body="{}")
    WebhookAttempt.objects.create(delivery=delivery, status_code=503)
    WebhookAttempt.objects.create(delivery=delivery, error="connection refused")
    firing.actions = [
        {"action": "task", "ok": False, "detail": {"subject": "Call back"}, "error": "Nope."},
        {
            "action": "webhook",
            "ok": True,
            "detail": {"url": rule.webhook_url, "delivery": delivery.pk},
        },
    ]
    firing.save()
    page = admin_client.get(reverse("automation:rule_detail", args=[rule.pk])).content.decode()
    assert "Task not made (Call back): Nope." in page
    assert "HTTP 503" in page
    assert "connection refused" in page
    assert "Webhook to https://hooks.example.com/x: queued" in page
    delivery.attempts, delivery.gave_up_at = 2, timezone.now()
    delivery.save()
    page = admin_client.get(reverse("automation:rule_detail", args=[rule.pk])).content.decode()
    assert "Webhook to https://hooks.example.com/x: gave up after 2 attempts" in page


def test_the_detail_page_reads_a_fixed_number_of_queries(
    admin_client, administrator, department, ticket_based_plan, urgent_rule
):
    contract = f.ContractFactory(support_plan=ticket_based_plan)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(reverse("automation:rule_detail", args=[urgent_rule.pk]))
        return len(captured)

    urgent_ticket(administrator, contract, department, "One")
    run_queued_tasks()
    queries()  # the first request reads the session's and permissions' caches
    one = queries()
    for n in range(5):
        urgent_ticket(administrator, contract, department, f"More {n}")
    run_queued_tasks()
    assert Firing.objects.filter(rule=urgent_rule).count() == 6
    assert queries() == one


# --- who may --------------------------------------------------------------------------------


def test_another_departments_rule_answers_404(administrator, department, other_department):
    lead = team_lead(department)
    rule = make_rule(administrator, other_department, name="Hardware only")
    client = signed_in(lead)
    assert "Hardware only" not in client.get(LIST).content.decode()
    for name in ("rule_detail", "rule_edit", "rule_delete"):
        assert client.get(reverse(f"automation:{name}", args=[rule.pk])).status_code == 404
    for name, data in (
        ("rule_edit", {"name": "x"}),
        ("rule_set_active", {"is_active": "false"}),
        ("rule_move", {"up": "1"}),
        ("rule_delete", {}),
    ):
        assert client.post(reverse(f"automation:{name}", args=[rule.pk]), data).status_code == 404
    rule.refresh_from_db()
    assert (rule.name, rule.is_active) == ("Hardware only", True)
    # Nor may the lead make a rule there.
    response = client.post(NEW, rule_data(other_department, task_subject="Look"))
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    assert Rule.objects.count() == 1


def test_an_address_too_large_for_an_id_answers_404(admin_client):
    assert admin_client.get(f"{LIST}{2**64}/").status_code == 404


def test_an_agent_gets_403_on_every_page_and_forged_posts_change_nothing(
    agent_client, administrator, department
):
    rule = make_rule(administrator, department, name="Kept")
    template = ticket_template(administrator, department)
    pk = rule.pk
    gets = [
        LIST,
        NEW,
        NEW + "?module=tickets",
        reverse("automation:rule_detail", args=[pk]),
        reverse("automation:rule_detail", args=[pk]) + "?record=1",
        reverse("automation:rule_edit", args=[pk]),
        reverse("automation:rule_delete", args=[pk]),
        reverse("automation:template_list"),
        reverse("automation:template_create"),
        reverse("automation:template_edit", args=[template.pk]),
        reverse("automation:template_delete", args=[template.pk]),
    ]
    for address in gets:
        assert agent_client.get(address).status_code == 403, address
    posts = [
        (NEW, rule_data(department, task_subject="Forged")),
        (reverse("automation:rule_edit", args=[pk]), rule_data(department, name="Forged")),
        (reverse("automation:rule_set_active", args=[pk]), {"is_active": "false"}),
        (reverse("automation:rule_move", args=[pk]), {"up": "0"}),
        (reverse("automation:rule_delete", args=[pk]), {}),
    ]
    for address, data in posts:
        assert agent_client.post(address, data).status_code == 403, address
    rule.refresh_from_db()
    assert (rule.name, rule.is_active) == ("Kept", True)
    assert Rule.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in():
    response = Client().get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_settings_links_to_the_rules_and_templates(admin_client):
    page = admin_client.get("/settings/").content.decode()
    assert f'href="{LIST}"' in page
    assert 'href="/settings/automation/email-templates/"' in page


def test_the_rule_list_counts_each_rules_firings_of_the_last_7_days(
    admin_client, administrator, department, ticket_based_plan, urgent_rule
):
    contract = f.ContractFactory(support_plan=ticket_based_plan)
    for _ in range(3):
        urgent_ticket(administrator, contract, department, "Server down")
    run_queued_tasks()
    older = Firing.objects.filter(rule=urgent_rule).order_by("pk").first()
    Firing.objects.filter(pk=older.pk).update(fired_at=timezone.now() - datetime.timedelta(days=8))
    quiet = services.rule_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        name="Never fires",
        trigger=Rule.Trigger.CREATED,
        criteria=[{"field": "subject", "operator": "contains", "value": "zebra"}],
        set_priority=Priority.LOW,
    )
    page = admin_client.get(reverse("automation:rule_list")).content.decode()

    def recent(rule):
        row = page[page.index(f'id="rule-{rule.pk}"') :]
        return re.search(r'<td class="rule-recent">(\d+)</td>', row).group(1)

    assert recent(urgent_rule) == "2"  # the one of 8 days ago is not counted
    assert recent(quiet) == "0"
