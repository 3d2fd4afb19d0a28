"""The time-based rule pages (SPEC section 11, issue 19): the workflow rules' pages for the
other kind, with a time condition instead of a trigger, no webhook, and on a rule's page how many
tickets it would fire for now."""

import datetime

import pytest
from django.utils import timezone

from automation import services
from automation.models import RAISE_PRIORITY, Module, Rule
from desk.choices import Priority, Status
from tests import factories as f
from tests.automation.test_rule_pages import rows_data
from tests.conftest import signed_in
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

LIST = "/settings/automation/time-based-rules/"
NEW = LIST + "new/"


def on_hold_rule(by, department, **fields):
    return services.rule_create(
        by=by,
        department=department,
        module=Module.TICKETS,
        kind=Rule.Kind.TIME_BASED,
        name=fields.pop("name", "On hold for more than 48 hours"),
        time_field=Rule.TimeField.STATUS_CHANGED,
        time_operator=Rule.TimeOperator.GREATER,
        time_hours=48,
        criteria=[{"field": "status", "operator": "is", "value": Status.ON_HOLD}],
        set_priority=RAISE_PRIORITY,
        **fields,
    )


def waiting_ticket(department, hours: int, **fields):
    ticket = f.TicketFactory(department=department, status=Status.ON_HOLD, **fields)
    Ticket.objects.filter(pk=ticket.pk).update(
        status_changed_at=timezone.now() - datetime.timedelta(hours=hours)
    )
    return Ticket.objects.get(pk=ticket.pk)


def form_data(department, **fields):
    data = {
        "name": "On hold too long",
        "department": str(department.pk),
        "is_active": "on",
        "time_field": Rule.TimeField.STATUS_CHANGED,
        "time_operator": Rule.TimeOperator.GREATER,
        "time_hours": "48",
        "business_hours": "on",
        "join": "and",
        "pattern": "",
        "set_priority": RAISE_PRIORITY,
        "task_priority": "medium",
        "task_due_in": "1",
        "task_due_unit": "days",
        **rows_data([("status", "is", Status.ON_HOLD)]),
    }
    data.update(fields)
    return data


def test_an_administrator_makes_a_time_based_rule_through_the_pages(admin_client, department):
    page = admin_client.get(NEW)
    assert page.status_code == 200
    assert 'name="time_field"' in page.text and 'name="webhook_url"' not in page.text
    assert 'name="trigger"' not in page.text

    response = admin_client.post(NEW, form_data(department))

    rule = Rule.objects.get()
    assert response.status_code == 302 and response.url == f"{LIST}{rule.pk}/"
    assert rule.kind == Rule.Kind.TIME_BASED and rule.module == Module.TICKETS
    assert (rule.time_field, rule.time_operator, rule.time_hours) == ("status_changed", "gt", 48)
    assert rule.business_hours and rule.set_priority == RAISE_PRIORITY
    assert rule.criteria == [{"field": "status", "operator": "is", "value": "on_hold"}]
    listed = admin_client.get(LIST).text
    assert "On hold too long" in listed and "Hours since the status changed" in listed
    # A time-based rule is not a workflow rule: the workflow rules' pages do not show it.
    assert "On hold too long" not in admin_client.get("/settings/automation/workflow-rules/").text
    assert admin_client.get(f"/settings/automation/workflow-rules/{rule.pk}/").status_code == 404


def test_a_time_condition_is_required_and_hours_are_whole(admin_client, department):
    response = admin_client.post(NEW, form_data(department, time_field="", time_hours="1.5"))
    assert response.status_code == 200
    assert not Rule.objects.exists()
    assert "Enter a whole number." in response.text


def test_the_rule_page_says_how_many_tickets_it_would_fire_for_now(
    admin_client, administrator, department
):
    rule = on_hold_rule(administrator, department)
    old = waiting_ticket(department, 60, subject="Waiting on the vendor")
    waiting_ticket(department, 10)  # not 48 hours yet
    f.TicketFactory(department=department, status=Status.OPEN)

    page = admin_client.get(f"{LIST}{rule.pk}/")

    assert page.status_code == 200
    assert "Would fire now on 1 ticket." in page.text
    assert f"#{old.pk} Waiting on the vendor" in page.text


def test_test_against_shows_the_hours_and_each_condition(admin_client, administrator, department):
    rule = on_hold_rule(administrator, department)
    fresh = waiting_ticket(department, 5, priority=Priority.LOW)

    page = admin_client.get(f"{LIST}{rule.pk}/", {"record": fresh.pk})

    assert page.status_code == 200
    assert "5 hours now" in page.text
    assert "does not hold" in page.text
    assert "The conditions do not hold" in page.text


def test_edit_activate_move_and_delete(admin_client, administrator, department):
    first = on_hold_rule(administrator, department)
    second = on_hold_rule(administrator, department, name="Second")
    response = admin_client.post(
        f"{LIST}{first.pk}/edit/", form_data(department, name="Renamed", time_hours="72")
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.name, first.time_hours) == ("Renamed", 72)
    admin_client.post(f"{LIST}{second.pk}/move/", {"up": "1"})
    assert list(Rule.objects.order_by("position").values_list("name", flat=True)) == [
        "Second",
        "Renamed",
    ]
    admin_client.post(f"{LIST}{first.pk}/active/", {"is_active": "false"})
    first.refresh_from_db()
    assert not first.is_active
    assert admin_client.post(f"{LIST}{first.pk}/delete/").status_code == 302
    assert list(Rule.objects.values_list("name", flat=True)) == ["Second"]


def test_agents_get_403_and_other_departments_404(
    administrator, agent, department, other_department
):
    rule = on_hold_rule(administrator, department)
    agent_client = signed_in(agent)
    for url in (LIST, NEW, f"{LIST}{rule.pk}/", f"{LIST}{rule.pk}/edit/"):
        assert agent_client.get(url).status_code == 403
    assert agent_client.post(f"{LIST}{rule.pk}/delete/").status_code == 403
    assert Rule.objects.filter(pk=rule.pk).exists()
    lead = f.AgentFactory(username="lead-other", departments=[other_department])
    from django.contrib.auth.models import Permission

    lead.user_permissions.add(Permission.objects.get(codename="manage_automation"))
    assert signed_in(lead).get(f"{LIST}{rule.pk}/").status_code == 404
