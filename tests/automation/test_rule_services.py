"""The doors to workflow rules and email templates (SPEC section 10): every check a rule's fields
must pass, with its message; who may; the department wall; the limit of active rules; the order
of the list; what deleting leaves behind."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from automation import services
from automation.models import EmailTemplate, Firing, Module, Rule, Task
from desk.access import NOT_YOUR_DEPARTMENT
from tests import factories as f
from tests.conftest import run_queued_tasks
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

Trigger = Rule.Trigger
TASK = {"task_subject": "Call back"}


def create(by, department, module=Module.TICKETS, **fields):
    fields.setdefault("name", "A rule")
    return services.rule_create(by=by, department=department, module=module, **fields)


def refusal(work) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        work()
    error = refused.value
    return error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}


def team_lead(department):
    """Manages automation in ``department`` only (an administrator sees every department)."""
    lead = f.AgentFactory(username="lead", departments=[department])
    lead.user_permissions.add(
        Permission.objects.get(content_type__app_label="desk", codename="manage_automation")
    )
    return lead


def template(by, department, module=Module.TICKETS, name="Alert"):
    subject = "{ticket.subject}" if module == Module.TICKETS else "{contract.name}"
    return services.template_create(
        by=by, department=department, module=module, name=name, subject=subject, body="Hi"
    )


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "trigger", "message"),
    [
        (Module.TICKETS, Trigger.CREDIT_CHANGED, services.TRIGGER_NOT_FOR_MODULE),
        (Module.CONTRACTS, Trigger.CUSTOMER_REPLY, services.TRIGGER_NOT_FOR_MODULE),
        (Module.CONTRACTS, Trigger.AGENT_REPLY, services.TRIGGER_NOT_FOR_MODULE),
        (Module.TICKETS, Trigger.TIME_PASSED, services.TRIGGER_NOT_FOR_MODULE),
        (Module.TICKETS, "", services.CHOOSE_TRIGGER),
    ],
)
def test_a_trigger_the_module_does_not_offer_is_refused(
    administrator, department, module, trigger, message
):
    errors = refusal(
        lambda: create(
            administrator, department, module, trigger=trigger, webhook_url="https://x.example/"
        )
    )
    assert errors["trigger"] == [str(message)]
    assert not Rule.objects.exists()


def test_chosen_fields_updated_needs_fields_the_module_offers(administrator, department):
    for fields in ([], ["mood"], ["owner"]):  # "owner" is a contract field
        errors = refusal(
            lambda fields=fields: create(
                administrator,
                department,
                trigger=Trigger.FIELDS_UPDATED,
                trigger_fields=fields,
                **TASK,
            )
        )
        assert errors == {"trigger_fields": [str(services.CHOOSE_TRIGGER_FIELDS)]}
    rule = create(
        administrator,
        department,
        trigger=Trigger.FIELDS_UPDATED,
        trigger_fields=["priority", "priority", "status"],
        **TASK,
    )
    assert rule.trigger_fields == ["priority", "status"]


def test_fields_are_kept_only_for_the_fields_updated_trigger(administrator, department):
    rule = create(
        administrator, department, trigger=Trigger.CREATED, trigger_fields=["priority"], **TASK
    )
    assert rule.trigger_fields == []


def test_a_pattern_needs_criteria_and_must_parse(administrator, department):
    errors = refusal(
        lambda: create(administrator, department, trigger=Trigger.CREATED, pattern="1", **TASK)
    )
    assert errors == {"pattern": [str(services.PATTERN_WITHOUT_CRITERIA)]}

    rows = [
        {"field": "priority", "operator": "is", "value": "urgent"},
        {"field": "status", "operator": "is", "value": "open"},
    ]
    errors = refusal(
        lambda: create(
            administrator,
            department,
            trigger=Trigger.CREATED,
            criteria=rows,
            pattern="1 and (2",
            **TASK,
        )
    )
    assert errors == {"pattern": ["A bracket in the pattern is not closed."]}

    rule = create(
        administrator,
        department,
        trigger=Trigger.CREATED,
        criteria=rows,
        pattern="  1   OR\n2 ",
        **TASK,
    )
    assert rule.pattern == "1 OR 2"


def test_a_pattern_too_long_to_store_is_refused_not_parsed(administrator, department):
    rows = [{"field": "priority", "operator": "is", "value": "urgent"}]
    pattern = "(" * 2000 + "1" + ")" * 2000
    errors = refusal(
        lambda: create(
            administrator,
            department,
            trigger=Trigger.CREATED,
            criteria=rows,
            pattern=pattern,
            **TASK,
        )
    )
    assert list(errors) == ["pattern"]
    assert "at most 200 characters" in errors["pattern"][0]


def test_bad_criteria_are_refused_row_by_row(administrator, department):
    errors = refusal(
        lambda: create(
            administrator,
            department,
            trigger=Trigger.CREATED,
            criteria=[{"field": "credits_left", "operator": "lte", "value": "one"}],
            **TASK,
        )
    )
    assert errors == {"criteria": ["Condition 1: Enter a whole number."]}


def test_field_updates_are_for_ticket_rules(administrator, department):
    errors = refusal(
        lambda: create(
            administrator,
            department,
            Module.CONTRACTS,
            trigger=Trigger.CREATED,
            set_status="resolved",
            **TASK,
            task_assignee=administrator,
        )
    )
    assert errors == {"set_status": [str(services.FIELD_UPDATES_TICKETS_ONLY)]}


def test_people_must_be_active_members_of_the_department(
    administrator, agent, department, other_department
):
    outsider = f.AgentFactory(username="outsider", departments=[other_department])
    retired = f.AgentFactory(username="retired", departments=[department], is_active=False)
    alert = template(administrator, department)
    for fields in (
        {"set_assignee": outsider},
        {"set_assignee": retired},
        {"task_subject": "Call", "task_assignee": outsider},
        {"alert_template": alert, "alert_users": [agent, outsider]},
    ):
        errors = refusal(
            lambda fields=fields: create(
                administrator, department, **fields, trigger=Trigger.CREATED
            )
        )
        (field,) = set(fields) - {"task_subject", "alert_template"}
        assert errors == {field: [str(services.NOT_A_MEMBER)]}


def test_the_template_must_be_the_departments_and_the_modules(
    administrator, department, other_department
):
    boss = f.desk_admin()
    elsewhere = template(boss, other_department)
    contracts = template(administrator, department, Module.CONTRACTS)
    for chosen in (elsewhere, contracts):
        errors = refusal(
            lambda chosen=chosen: create(
                administrator,
                department,
                trigger=Trigger.CREATED,
                alert_template=chosen,
                alert_addresses="ops@example.com",
            )
        )
        assert errors == {"alert_template": [str(services.TEMPLATE_ELSEWHERE)]}


def test_an_alert_needs_both_a_template_and_recipients(administrator, department):
    errors = refusal(
        lambda: create(
            administrator,
            department,
            trigger=Trigger.CREATED,
            alert_template=template(administrator, department),
        )
    )
    assert errors == {"alert_assignee": [str(services.NO_RECIPIENT)]}

    for recipients in ({"alert_assignee": True}, {"alert_addresses": "ops@example.com"}):
        errors = refusal(
            lambda recipients=recipients: create(
                administrator, department, trigger=Trigger.CREATED, **recipients
            )
        )
        assert errors == {"alert_template": [str(services.RECIPIENTS_WITHOUT_TEMPLATE)]}


def test_other_addresses_must_be_email_addresses(administrator, department):
    errors = refusal(
        lambda: create(
            administrator,
            department,
            trigger=Trigger.CREATED,
            alert_template=template(administrator, department),
            alert_addresses="ops@example.com\n\nnope\nalso bad@\n",
        )
    )
    assert errors == {"alert_addresses": ["Not email addresses: nope, also bad@."]}


@pytest.mark.parametrize(
    ("unit", "amount", "limit"),
    [("minutes", 0, 527040), ("hours", 87841, 87840), ("days", 3661, 3660), ("months", 121, 120)],
)
def test_a_task_is_due_within_ten_years(administrator, department, unit, amount, limit):
    errors = refusal(
        lambda: create(
            administrator,
            department,
            trigger=Trigger.CREATED,
            task_subject="Call",
            task_due_in=amount,
            task_due_unit=unit,
        )
    )
    assert errors == {"task_due_in": [f"Enter between 1 and {limit}."]}
    rule = create(
        administrator,
        department,
        trigger=Trigger.CREATED,
        task_subject=" Call ",
        task_due_in=limit,
        task_due_unit=unit,
    )
    assert rule.task_subject == "Call"


def test_a_webhook_is_an_http_address(administrator, department):
    errors = refusal(
        lambda: create(
            administrator, department, trigger=Trigger.CREATED, webhook_url="ftp://x.example/"
        )
    )
    assert errors == {"webhook_url": [str(services.WEBHOOK_SCHEME)]}
    rule = create(
        administrator, department, trigger=Trigger.CREATED, webhook_url="https://x.example/h"
    )
    assert len(rule.webhook_secret) == 64


def test_a_rule_does_something(administrator, department):
    errors = refusal(lambda: create(administrator, department, trigger=Trigger.CREATED))
    assert errors == {"__all__": [str(services.NO_ACTION)]}
    create(administrator, department, trigger=Trigger.CREATED, **TASK)
    assert Rule.objects.count() == 1


def test_an_update_is_checked_as_a_create_and_the_rule_then_runs_as_its_saver(
    administrator, department
):
    rule = create(administrator, department, trigger=Trigger.CREATED, **TASK)
    other_admin = f.AdministratorFactory(username="admin2", departments=[department])

    errors = refusal(lambda: services.rule_update(by=other_admin, rule=rule, task_subject=""))
    assert errors == {"__all__": [str(services.NO_ACTION)]}
    rule.refresh_from_db()
    assert (rule.task_subject, rule.owner) == ("Call back", administrator)

    services.rule_update(by=other_admin, rule=rule, name="Renamed")
    rule.refresh_from_db()
    assert (rule.name, rule.owner) == ("Renamed", other_admin)


# --- who may --------------------------------------------------------------------------------


def test_an_agent_may_not_write_rules_or_templates(administrator, agent, department):
    rule = create(administrator, department, trigger=Trigger.CREATED, **TASK)
    alert = template(administrator, department)
    for work in (
        lambda: create(agent, department, trigger=Trigger.CREATED, **TASK),
        lambda: services.rule_update(by=agent, rule=rule, name="Mine"),
        lambda: services.rule_set_active(by=agent, rule=rule, is_active=False),
        lambda: services.rule_move(by=agent, rule=rule, up=True),
        lambda: services.rule_delete(by=agent, rule=rule),
        lambda: template(agent, department, name="Mine"),
        lambda: services.template_update(by=agent, template=alert, name="Mine"),
        lambda: services.template_delete(by=agent, template=alert),
    ):
        with pytest.raises(PermissionDenied):
            work()
    rule.refresh_from_db()
    assert (rule.name, rule.is_active) == ("A rule", True)
    assert EmailTemplate.objects.get().name == "Alert"


def test_the_department_wall(department, other_department):
    lead = team_lead(department)
    assert create(lead, department, trigger=Trigger.CREATED, **TASK).owner == lead
    errors = refusal(lambda: create(lead, other_department, trigger=Trigger.CREATED, **TASK))
    assert errors == {"department": [str(NOT_YOUR_DEPARTMENT)]}
    elsewhere = create(f.desk_admin(), other_department, trigger=Trigger.CREATED, **TASK)
    alert = template(f.desk_admin(), other_department)
    for work in (
        lambda: services.rule_update(by=lead, rule=elsewhere, name="Mine"),
        lambda: services.rule_set_active(by=lead, rule=elsewhere, is_active=False),
        lambda: services.rule_move(by=lead, rule=elsewhere, up=False),
        lambda: services.rule_delete(by=lead, rule=elsewhere),
        lambda: services.template_update(by=lead, template=alert, name="Mine"),
        lambda: services.template_delete(by=lead, template=alert),
    ):
        with pytest.raises(PermissionDenied):
            work()
    elsewhere.refresh_from_db()
    assert (elsewhere.name, elsewhere.is_active) == ("A rule", True)
    assert EmailTemplate.objects.filter(pk=alert.pk).exists()


# --- the limit ------------------------------------------------------------------------------


def test_the_limit_counts_active_rules_on_create_and_on_reactivation(
    settings, administrator, department, other_department
):
    settings.AUTOMATION_RULES_PER_DEPARTMENT = 2
    limit_message = [str(services.LIMIT_REACHED) % {"limit": 2}]
    first = create(administrator, department, trigger=Trigger.CREATED, **TASK)
    create(
        administrator,
        department,
        Module.CONTRACTS,
        trigger=Trigger.CREATED,
        task_subject="Welcome",
        task_assignee=administrator,
    )
    create(f.desk_admin(), other_department, trigger=Trigger.CREATED, **TASK)  # its own count

    errors = refusal(lambda: create(administrator, department, trigger=Trigger.EDITED, **TASK))
    assert errors == {"__all__": limit_message}

    spare = create(administrator, department, trigger=Trigger.EDITED, is_active=False, **TASK)
    errors = refusal(lambda: services.rule_set_active(by=administrator, rule=spare, is_active=True))
    assert errors == {"__all__": limit_message}

    services.rule_set_active(by=administrator, rule=first, is_active=False)
    services.rule_set_active(by=administrator, rule=spare, is_active=True)
    assert Rule.objects.active().filter(department=department).count() == 2
    # Saving an active rule at the limit is no new rule.
    services.rule_update(by=administrator, rule=spare, name="Still fine")
    services.rule_set_active(by=administrator, rule=spare, is_active=True)


def test_time_based_rules_do_not_use_up_the_workflow_limit(settings, administrator, department):
    settings.AUTOMATION_RULES_PER_DEPARTMENT = 1
    Rule.objects.create(
        department=department,
        module=Module.TICKETS,
        kind=Rule.Kind.TIME_BASED,
        name="Stale",
        time_field=Rule.TimeField.CREATED,
        task_subject="Look",
        owner=administrator,
    )
    assert create(administrator, department, trigger=Trigger.CREATED, **TASK).is_active


# --- the order ------------------------------------------------------------------------------


def order(department, module=Module.TICKETS) -> list[str]:
    rules = Rule.objects.filter(department=department, module=module).order_by("position", "pk")
    return [rule.name for rule in rules]


def test_rules_move_up_and_down_their_list_and_stay_at_the_ends(administrator, department):
    a, b, c = (
        create(administrator, department, name=n, trigger=Trigger.CREATED, **TASK) for n in "ABC"
    )
    create(
        administrator,
        department,
        Module.CONTRACTS,
        name="Z",
        trigger=Trigger.CREATED,
        task_subject="Welcome",
        task_assignee=administrator,
    )
    assert order(department) == ["A", "B", "C"]

    services.rule_move(by=administrator, rule=c, up=True)
    assert order(department) == ["A", "C", "B"]
    services.rule_move(by=administrator, rule=a, up=False)
    assert order(department) == ["C", "A", "B"]
    services.rule_move(by=administrator, rule=c, up=True)  # first already
    assert order(department) == ["C", "A", "B"]
    services.rule_move(by=administrator, rule=b, up=False)  # last already
    assert order(department) == ["C", "A", "B"]
    assert order(department, Module.CONTRACTS) == ["Z"]
    positions = Rule.objects.filter(module=Module.TICKETS).order_by("position")
    assert [r.position for r in positions] == [0, 1, 2]


def test_a_new_rule_goes_last(administrator, department):
    first = create(administrator, department, name="A", trigger=Trigger.CREATED, **TASK)
    services.rule_move(by=administrator, rule=first, up=False)
    create(administrator, department, name="B", trigger=Trigger.CREATED, **TASK)
    assert order(department) == ["A", "B"]


# --- deleting -------------------------------------------------------------------------------


def test_deleting_a_rule_keeps_the_tasks_it_made(administrator, department):
    rule = create(administrator, department, name="Welcome call", trigger=Trigger.CREATED, **TASK)
    ticket_create(
        by=administrator, subject="Hello", account=f.AccountFactory(), department=department
    )
    run_queued_tasks()
    assert Firing.objects.filter(rule=rule).exists()

    services.rule_delete(by=administrator, rule=rule)

    (task,) = Task.objects.all()
    assert (task.rule, task.rule_name, task.subject) == (None, "Welcome call", "Call back")
    assert not Rule.objects.exists() and not Firing.objects.exists()


def test_a_template_in_use_cannot_be_deleted(administrator, department):
    alert = template(administrator, department)
    rule = create(
        administrator,
        department,
        trigger=Trigger.CREATED,
        alert_template=alert,
        alert_addresses="ops@example.com",
        is_active=False,  # even an inactive rule's
    )
    errors = refusal(lambda: services.template_delete(by=administrator, template=alert))
    assert errors == {"__all__": [str(services.TEMPLATE_IN_USE)]}
    assert EmailTemplate.objects.filter(pk=alert.pk).exists()

    services.rule_delete(by=administrator, rule=rule)
    services.template_delete(by=administrator, template=alert)
    assert not EmailTemplate.objects.exists()


def test_an_unknown_placeholder_is_refused(administrator, department):
    errors = refusal(
        lambda: services.template_create(
            by=administrator,
            department=department,
            module=Module.TICKETS,
            name="Alert",
            subject="{ticket.subject}",
            body="Mood: {ticket.mood} {ticket.subject} {nope.x}",
        )
    )
    assert errors == {
        "body": [
            "Unknown placeholder(s): {nope.x}, {ticket.mood}. Use those listed beside the form."
        ]
    }
    errors = refusal(
        lambda: services.template_create(
            by=administrator,
            department=department,
            module=Module.CONTRACTS,
            name="Alert",
            subject="{ticket.subject}",  # a ticket's, not a contract's
            body="Hi",
        )
    )
    assert list(errors) == ["subject"]
    alert = template(administrator, department)
    errors = refusal(
        lambda: services.template_update(by=administrator, template=alert, subject="{credit.left}")
    )
    assert list(errors) == ["subject"]
    assert EmailTemplate.objects.get().subject == "{ticket.subject}"


def test_a_rules_task_due_date_is_checked_against_the_desks_date_range(administrator, department):
    """The furthest due time a rule may set (ten years) still saves."""
    rule = create(
        administrator,
        department,
        trigger=Trigger.CREATED,
        task_subject="Renewal",
        task_due_in=120,
        task_due_unit="months",
    )
    ticket_create(by=administrator, subject="Hi", account=f.AccountFactory(), department=department)
    run_queued_tasks()
    (task,) = Task.objects.filter(rule=rule)
    assert task.due_at > timezone.now() + datetime.timedelta(days=3600)
