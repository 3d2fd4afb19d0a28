"""The back office is a door onto the automation services like the pages: rules, templates and
tasks are written through ``automation.services`` (a refusal on the form, nothing saved);
firings and webhook deliveries, with their attempts, are read only."""

import datetime
import json

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from automation import services
from automation.admin import CRITERIA_SHAPE
from automation.models import EmailTemplate, Firing, Module, Rule, Task, WebhookDelivery
from tests import factories as f
from tests.conftest import opened_form, signed_in

pytestmark = pytest.mark.django_db

RULES = "/admin/automation/rule/"
ADD_RULE = "/admin/automation/rule/add/"
TEMPLATES = "/admin/automation/emailtemplate/"
TASKS = "/admin/automation/task/"
Trigger = Rule.Trigger


def change_url(obj):
    return f"/admin/automation/{obj._meta.model_name}/{obj.pk}/change/"


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def rule_form(client, department, **overrides) -> dict:
    data = opened_form(client, ADD_RULE)
    data.update(
        department=department.pk,
        module=Module.TICKETS,
        kind=Rule.Kind.WORKFLOW,
        name="Urgent tickets",
        is_active="on",
        trigger=Trigger.CREATED,
        trigger_fields="[]",
        criteria=json.dumps(
            [
                {"field": "priority", "operator": "is", "value": "urgent"},
                {"field": "status", "operator": "is", "value": "open"},
            ]
        ),
        join="and",
        task_subject="Call the customer",
        task_priority="high",
        task_due_in="2",
        task_due_unit="hours",
    )
    data.update({"alert_users": [], "initial-alert_users": []})
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not False}


def make_rule(by, department, **fields):
    fields.setdefault("name", "A rule")
    fields.setdefault("trigger", Trigger.CREATED)
    fields.setdefault("task_subject", "Look")
    return services.rule_create(by=by, department=department, module=Module.TICKETS, **fields)


# --- rules ------------------------------------------------------------------------------------


def test_the_back_office_creates_a_rule_through_the_service(
    back_office, back_office_client, department
):
    response = back_office_client.post(ADD_RULE, rule_form(back_office_client, department))

    assert response.status_code == 302, form_errors(response)
    rule = Rule.objects.get()
    assert (rule.name, rule.department, rule.owner, rule.position) == (
        "Urgent tickets",
        department,
        back_office,
        0,
    )
    assert rule.criteria == [
        {"field": "priority", "operator": "is", "value": "urgent"},
        {"field": "status", "operator": "is", "value": "open"},
    ]
    assert (rule.task_subject, rule.task_due_in, rule.is_active) == ("Call the customer", 2, True)


def test_a_bad_pattern_shows_its_message_and_saves_nothing(back_office_client, department):
    data = rule_form(back_office_client, department, pattern="1 and (2")

    response = back_office_client.post(ADD_RULE, data)

    assert response.status_code == 200
    assert form_errors(response)["pattern"] == ["A bracket in the pattern is not closed."]
    assert not Rule.objects.exists()


@pytest.mark.parametrize(
    ("criteria", "message"),
    [
        ('{"field": "priority"}', str(CRITERIA_SHAPE)),
        ('["priority"]', str(CRITERIA_SHAPE)),
        ("[{", None),
        ('[{"field": "nonsense", "operator": "is", "value": 1}]', "Condition 1: choose a field."),
    ],
)
def test_bad_criteria_are_refused_on_the_form(back_office_client, department, criteria, message):
    response = back_office_client.post(
        ADD_RULE, rule_form(back_office_client, department, criteria=criteria)
    )
    assert response.status_code == 200
    errors = form_errors(response)["criteria"]
    if message is not None:
        assert errors == [message]
    assert not Rule.objects.exists()


def test_a_rule_without_an_action_is_refused(back_office_client, department):
    response = back_office_client.post(
        ADD_RULE, rule_form(back_office_client, department, task_subject="")
    )
    assert response.status_code == 200
    assert form_errors(response)["__all__"] == [str(services.NO_ACTION)]
    assert not Rule.objects.exists()


def test_the_limit_of_active_rules_holds_in_the_back_office(
    settings, back_office, back_office_client, department
):
    settings.AUTOMATION_RULES_PER_DEPARTMENT = 1
    make_rule(back_office, department)
    limit = str(services.LIMIT_REACHED) % {"limit": 1}

    response = back_office_client.post(ADD_RULE, rule_form(back_office_client, department))
    assert response.status_code == 200
    assert form_errors(response)["__all__"] == [limit]
    assert Rule.objects.count() == 1

    data = rule_form(back_office_client, department, is_active=False)
    response = back_office_client.post(ADD_RULE, data)
    assert response.status_code == 302, form_errors(response)
    spare = Rule.objects.get(is_active=False)

    response = back_office_client.post(
        RULES, {"action": "activate", "_selected_action": [spare.pk], "index": 0}, follow=True
    )
    assert limit in messages_of(response)
    spare.refresh_from_db()
    assert not spare.is_active

    data = opened_form(back_office_client, change_url(spare))
    data["is_active"] = "on"
    response = back_office_client.post(change_url(spare), data)
    assert response.status_code == 200
    assert form_errors(response)["__all__"] == [limit]
    spare.refresh_from_db()
    assert not spare.is_active


def test_a_change_goes_through_the_service_and_keeps_the_rest(
    back_office, back_office_client, administrator, department, other_department
):
    rule = make_rule(administrator, department, name="Old name")
    data = opened_form(back_office_client, change_url(rule))
    services.rule_update(by=administrator, rule=rule, task_subject="Changed meanwhile")
    data.update(name="New name", department=other_department.pk)

    response = back_office_client.post(change_url(rule), data)

    assert response.status_code == 302, form_errors(response)
    rule.refresh_from_db()
    assert (rule.name, rule.task_subject, rule.department) == (
        "New name",
        "Changed meanwhile",
        department,
    )
    assert rule.owner == back_office  # it now runs as who saved it last


def test_the_back_office_deletes_a_rule_through_the_service(
    back_office_client, administrator, department
):
    rule = make_rule(administrator, department)
    response = back_office_client.post(f"/admin/automation/rule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Rule.objects.exists()


def test_rules_of_other_departments_are_out_of_reach(department, other_department):
    lead = f.AgentFactory(username="lead", is_staff=True, departments=[department])
    lead.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="automation"),
        Permission.objects.get(codename="manage_automation"),
    )
    mine = make_rule(f.desk_admin(), department, name="Mine")
    theirs = make_rule(f.desk_admin(), other_department, name="Theirs")
    client = signed_in(lead)

    response = client.get(RULES)
    assert list(response.context["cl"].result_list) == [mine]
    assert client.get(change_url(theirs)).status_code == 302  # "does not exist": to the index
    response = client.post(ADD_RULE, rule_form(client, other_department))
    assert response.status_code == 200
    assert "department" in form_errors(response)
    assert not Rule.objects.filter(department=other_department).exclude(pk=theirs.pk).exists()


# --- email templates --------------------------------------------------------------------------


def test_templates_go_through_the_services(back_office, back_office_client, department):
    data = opened_form(back_office_client, f"{TEMPLATES}add/")
    data.update(
        department=department.pk,
        module=Module.TICKETS,
        name="Alert",
        subject="{ticket.nonsense}",
        body="Hello",
    )
    response = back_office_client.post(f"{TEMPLATES}add/", data)
    assert response.status_code == 200
    assert "subject" in form_errors(response)
    assert not EmailTemplate.objects.exists()

    data["subject"] = "{ticket.subject}"
    response = back_office_client.post(f"{TEMPLATES}add/", data)
    assert response.status_code == 302, form_errors(response)
    template = EmailTemplate.objects.get()

    make_rule(
        back_office, department, alert_template=template, alert_assignee=True, task_subject=""
    )
    # In use: the back office says which rules keep it, and deletes nothing.
    response = back_office_client.post(f"{TEMPLATES}{template.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert EmailTemplate.objects.filter(pk=template.pk).exists()

    Rule.objects.all().delete()
    response = back_office_client.post(f"{TEMPLATES}{template.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not EmailTemplate.objects.exists()


# --- tasks ------------------------------------------------------------------------------------


def task_form(client, department, **overrides) -> dict:
    data = opened_form(client, f"{TASKS}add/")
    due = timezone.localtime() + datetime.timedelta(days=1)
    data.update(
        {
            "department": department.pk,
            "subject": "Order toner",
            "description": "",
            "ticket": "",
            "contract": "",
            "assignee": "",
            "priority": "medium",
            "due_at_0": due.date().isoformat(),
            "due_at_1": "10:00:00",
        }
    )
    data.update(overrides)
    return data


def test_the_task_admin_creates_tasks_through_the_service(
    back_office, back_office_client, department, agent, other_department
):
    outsider = f.AgentFactory(username="outsider", departments=[other_department])
    elsewhere = f.TicketFactory(department=other_department)
    # Another department's ticket: the service names the department's wall.
    lead = f.AgentFactory(username="lead", is_staff=True, departments=[department])
    lead.user_permissions.add(*Permission.objects.filter(content_type__app_label="automation"))
    lead_client = signed_in(lead)
    response = lead_client.post(
        f"{TASKS}add/", task_form(lead_client, department, ticket=elsewhere.pk)
    )
    assert response.status_code == 200
    assert not Task.objects.exists()

    response = back_office_client.post(
        f"{TASKS}add/", task_form(back_office_client, department, assignee=outsider.pk)
    )
    assert response.status_code == 200
    assert form_errors(response)["assignee"]
    assert not Task.objects.exists()

    response = back_office_client.post(
        f"{TASKS}add/", task_form(back_office_client, department, assignee=agent.pk)
    )
    assert response.status_code == 302, form_errors(response)
    task = Task.objects.get()
    assert (task.subject, task.assignee, task.created_by, task.department) == (
        "Order toner",
        agent,
        back_office,
        department,
    )


def test_the_task_admin_bad_due_date_is_a_message(back_office_client, department):
    data = task_form(back_office_client, department, due_at_0="9999-12-31")
    response = back_office_client.post(f"{TASKS}add/", data)
    assert response.status_code == 200
    assert form_errors(response)["due_at"]
    assert not Task.objects.exists()


def test_the_task_admin_marks_done_and_reopens_through_the_service(
    back_office, back_office_client, agent, department
):
    task = services.task_create(
        by=agent,
        subject="Check",
        department=department,
        assignee=agent,
        due_at=timezone.now() + datetime.timedelta(days=1),
    )
    data = opened_form(back_office_client, change_url(task))
    data["is_done"] = "on"
    response = back_office_client.post(change_url(task), data)
    assert response.status_code == 302, form_errors(response)
    task.refresh_from_db()
    assert task.done_by == back_office and task.done_at is not None

    response = back_office_client.post(
        TASKS, {"action": "reopen", "_selected_action": [task.pk], "index": 0}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at is None

    response = back_office_client.post(f"{TASKS}{task.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403  # no service deletes a task
    assert Task.objects.filter(pk=task.pk).exists()


# --- firings and deliveries: read only ------------------------------------------------------


def test_firings_and_deliveries_are_read_only(back_office_client, administrator, department):
    rule = make_rule(administrator, department, name="Notify", webhook_url="https://h.example/")
    ticket = f.TicketFactory(department=department)
    firing = Firing.objects.create(
        rule=rule,
        ticket=ticket,
        trigger=Trigger.CREATED,
        outcome=Firing.Outcome.DONE,
        actions=[{"action": "task", "ok": True, "detail": {"subject": "Look", "task": 1}}],
    )
    delivery = WebhookDelivery.objects.create(firing=firing, url="https://h.example/", body="{}")
    delivery.attempt_log.create(status_code=503, duration_ms=12)

    response = back_office_client.get(change_url(firing))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Task made: Look" in html and 'name="_save"' not in html
    assert back_office_client.post(change_url(firing), {}).status_code == 403
    assert back_office_client.get("/admin/automation/firing/add/").status_code == 403

    response = back_office_client.get(change_url(delivery))
    assert response.status_code == 200
    html = response.content.decode()
    assert "503" in html and 'name="_save"' not in html
    response = back_office_client.post(f"/admin/automation/webhookdelivery/{delivery.pk}/delete/")
    assert response.status_code == 403
    assert back_office_client.get("/admin/automation/firing/").status_code == 200
    assert back_office_client.get("/admin/automation/webhookdelivery/").status_code == 200
