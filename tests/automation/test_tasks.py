"""Tasks by hand and My tasks (SPEC section 10): each agent's own tasks, overdue first; a task
added on a ticket page for the ticket's department; completed or reopened by its assignee or by
an agent of its department, by nobody else; forged and bad input refused with a message, never a
500; a task made by a rule says which rule."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.utils import timezone

from automation import services
from automation.models import Module, Rule, Task
from automation.views.tasks import TASK_ADDED, TASK_DONE, TASK_NOT_ADDED, TASK_REOPENED
from desk.choices import Priority
from desk.validators import DATE_TOO_LATE
from tests import factories as f
from tests.conftest import run_queued_tasks, signed_in
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

MY_TASKS = "/tasks/"
NEW_TASK = "/tasks/new/"


def complete_url(task):
    return f"/tasks/{task.pk}/done/"


def reopen_url(task):
    return f"/tasks/{task.pk}/reopen/"


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Acme")


@pytest.fixture
def ticket(department, account):
    return f.TicketFactory(department=department, account=account, subject="Printer on fire")


@pytest.fixture
def other_ticket(other_department, account):
    return f.TicketFactory(department=other_department, account=account, subject="Not yours")


@pytest.fixture
def colleague(department):
    return f.AgentFactory(username="colleague", departments=[department])


@pytest.fixture
def outsider(other_department):
    return f.AgentFactory(username="outsider", departments=[other_department])


def task(by, *, assignee, due_in=datetime.timedelta(days=1), subject="Call back", **fields):
    if "ticket" not in fields and "department" not in fields:
        fields["department"] = by.departments.get()
    return services.task_create(
        by=by,
        subject=subject,
        due_at=timezone.now() + due_in,
        assignee=assignee,
        **fields,
    )


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def add_form(ticket, **overrides) -> dict:
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    data = {
        "ticket": ticket.pk,
        "task-subject": "Ring the customer",
        "task-description": "About the toner",
        "task-assignee": "",
        "task-priority": Priority.HIGH,
        "task-due_date": tomorrow.isoformat(),
        "task-due_time": "15:30",
    }
    data.update(overrides)
    return data


# --- My tasks -------------------------------------------------------------------------------


def test_my_tasks_lists_only_ones_own_open_tasks_overdue_first(
    agent, agent_client, colleague, department, ticket
):
    later = task(agent, assignee=agent, subject="Later", due_in=datetime.timedelta(days=3))
    overdue = task(agent, assignee=agent, subject="Late", due_in=-datetime.timedelta(hours=2))
    soon = task(agent, assignee=agent, subject="Soon", ticket=ticket)
    task(agent, assignee=colleague, subject="Not mine", due_in=-datetime.timedelta(days=1))
    done = task(agent, assignee=agent, subject="Finished")
    services.task_complete(by=agent, task=done)

    response = agent_client.get(MY_TASKS)

    assert response.status_code == 200
    assert list(response.context["tasks"]) == [overdue, soon, later]
    html = response.content.decode()
    assert "Not mine" not in html and "Finished" not in html
    row = html[html.index(f'id="task-{overdue.pk}"') :]
    assert "Overdue" in row[: row.index("</tr>")]
    row = html[html.index(f'id="task-{soon.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Overdue" not in row
    assert f'href="{ticket.get_absolute_url()}#tasks"' in row and "Printer on fire" in row
    assert response.context["figures"] == {"open": 3, "overdue": 1}


def test_the_done_tab_lists_done_tasks_newest_first(agent, agent_client):
    first = task(agent, assignee=agent, subject="First")
    second = task(agent, assignee=agent, subject="Second")
    task(agent, assignee=agent, subject="Still open")
    services.task_complete(by=agent, task=first)
    services.task_complete(by=agent, task=second)

    response = agent_client.get(f"{MY_TASKS}?show=done")

    assert list(response.context["tasks"]) == [second, first]
    html = response.content.decode()
    assert "Still open" not in html and "Reopen" in html


def test_my_tasks_is_paginated(agent, agent_client):
    for n in range(30):
        task(agent, assignee=agent, subject=f"Task {n}")
    first = agent_client.get(MY_TASKS)
    assert len(first.context["tasks"]) == 25
    second = agent_client.get(f"{MY_TASKS}?page=2")
    assert len(second.context["tasks"]) == 5
    assert agent_client.get(f"{MY_TASKS}?page=x").status_code in (200, 404)
    assert agent_client.get(f"{MY_TASKS}?page=99").status_code == 404


def test_the_top_bar_has_my_tasks_marked_current(agent_client):
    html = agent_client.get(MY_TASKS).content.decode()
    assert f'href="{MY_TASKS}" aria-current="page">Tasks</a>' in html


@pytest.mark.parametrize(
    ("path", "section"),
    [
        (MY_TASKS, "tasks"),
        (NEW_TASK, "tasks"),
        ("/settings/automation/workflow-rules/", "settings"),
        ("/settings/automation/email-templates/", "settings"),
    ],
)
def test_the_automation_pages_sections(rf, path, section):
    from django.urls import resolve

    from desk.context_processors import current_section

    request = rf.get(path)
    request.resolver_match = resolve(path)
    assert current_section(request) == section


# --- adding a task on a ticket page ----------------------------------------------------------


def test_the_ticket_page_offers_the_add_task_form(agent_client, ticket, agent, colleague, outsider):
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    form = html[html.rindex("<form", 0, html.index('id="task-add-form"')) :]
    form = form[: form.index("</form>")]
    assert 'action="/tasks/new/"' in form and f'name="ticket" value="{ticket.pk}"' in form
    for name in ("subject", "description", "assignee", "priority", "due_date", "due_time"):
        assert f'name="task-{name}"' in form
    assert f'value="{colleague.pk}"' in form and f'value="{outsider.pk}"' not in form
    assert "<script" not in form and "style=" not in form


def test_an_agent_adds_a_task_on_a_ticket(agent_client, agent, colleague, ticket):
    response = agent_client.post(NEW_TASK, add_form(ticket, **{"task-assignee": colleague.pk}))

    assert response.status_code == 302
    assert response["Location"] == f"{ticket.get_absolute_url()}#tasks"
    assert texts(response) == [str(TASK_ADDED)]
    (made,) = Task.objects.all()
    assert (made.ticket, made.department, made.assignee, made.created_by) == (
        ticket,
        ticket.department,
        colleague,
        agent,
    )
    assert (made.subject, made.priority, made.rule_name) == ("Ring the customer", "high", "")
    local_due = timezone.localtime(made.due_at)
    assert (local_due.date(), local_due.hour, local_due.minute) == (
        timezone.localdate() + datetime.timedelta(days=1),
        15,
        30,
    )
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    assert f'id="task-{made.pk}"' in html and "Ring the customer" in html


def test_the_task_page_adds_a_task_without_a_ticket(agent_client, agent, department):
    assert agent_client.get(NEW_TASK).status_code == 200
    data = add_form(f.TicketFactory(department=department), **{"task-department": department.pk})
    del data["ticket"]
    response = agent_client.post(NEW_TASK, data)
    assert response.status_code == 302 and response["Location"] == MY_TASKS
    (made,) = Task.objects.all()
    assert (made.ticket, made.department) == (None, department)


def test_the_task_page_for_a_ticket(agent_client, ticket):
    response = agent_client.get(f"{NEW_TASK}?ticket={ticket.pk}")
    assert response.status_code == 200
    assert f'name="ticket" value="{ticket.pk}"' in response.content.decode()


def test_another_departments_ticket_is_out_of_reach(agent_client, other_ticket):
    assert agent_client.post(NEW_TASK, add_form(other_ticket)).status_code == 404
    assert agent_client.get(f"{NEW_TASK}?ticket={other_ticket.pk}").status_code == 404
    assert not Task.objects.exists()


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "99999999999999999999999", "١٢"])
def test_a_forged_ticket_is_404(agent_client, ticket, value):
    data = {**add_form(ticket), "ticket": value}
    assert agent_client.post(NEW_TASK, data).status_code == 404
    assert not Task.objects.exists()


def test_an_assignee_outside_the_department_is_refused(agent_client, ticket, outsider):
    response = agent_client.post(NEW_TASK, add_form(ticket, **{"task-assignee": outsider.pk}))
    assert response.status_code == 200
    assert "task-assignee" in response.context["form"].add_prefix("assignee")
    assert response.context["form"].errors["assignee"]
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"task-subject": ""}, "subject", "This field is required."),
        ({"task-subject": "   "}, "subject", "This field is required."),
        ({"task-subject": "x" * 201}, "subject", None),
        ({"task-due_date": "31/02/2026"}, "due_date", "Enter a valid date."),
        ({"task-due_date": ""}, "due_date", "This field is required."),
        ({"task-due_date": "9999-12-31"}, "due_date", str(DATE_TOO_LATE) % {"limit": "2200-12-31"}),
        ({"task-due_time": "25:99"}, "due_time", "Enter a valid time."),
        ({"task-priority": "sky-high"}, "priority", None),
        ({"task-assignee": "abc"}, "assignee", None),
        ({"task-assignee": "99999999999999999999999"}, "assignee", None),
    ],
)
def test_bad_input_is_shown_on_the_form_not_a_500(agent_client, ticket, overrides, field, message):
    response = agent_client.post(NEW_TASK, add_form(ticket, **overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message is not None:
        assert errors[field] == [message]
    assert str(TASK_NOT_ADDED) in texts(response)
    html = response.content.decode()
    assert "is-invalid" in html and f'name="ticket" value="{ticket.pk}"' in html
    assert not Task.objects.exists()


def test_a_user_who_does_not_work_tickets_may_not_add_tasks(department, ticket):
    viewer = f.UserFactory(username="viewer", departments=[department])
    viewer.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    client = signed_in(viewer)
    assert client.get(NEW_TASK).status_code == 403
    assert client.post(NEW_TASK, add_form(ticket)).status_code == 403
    assert 'id="task-add-form"' not in client.get(ticket.get_absolute_url()).content.decode()
    assert not Task.objects.exists()


# --- completing and reopening ----------------------------------------------------------------


def test_the_assignee_completes_and_reopens_their_own_task(agent, department, ticket):
    # A member who does not work tickets, given a task: their own, they may close it.
    helper = f.UserFactory(username="helper", departments=[department])
    made = task(agent, assignee=helper, ticket=ticket)
    client = signed_in(helper)

    response = client.post(complete_url(made))
    assert response.status_code == 302 and response["Location"] == MY_TASKS
    assert texts(response) == [str(TASK_DONE)]
    made.refresh_from_db()
    assert made.done_at is not None and made.done_by == helper

    response = client.post(reopen_url(made), {"next": "/tasks/?show=done"})
    assert response["Location"] == "/tasks/?show=done"
    assert texts(response)[-1] == str(TASK_REOPENED)
    made.refresh_from_db()
    assert made.done_at is None and made.done_by is None


def test_another_agent_of_the_department_completes_it(agent, colleague, ticket):
    made = task(agent, assignee=agent, ticket=ticket)
    next_url = f"{ticket.get_absolute_url()}#tasks"
    response = signed_in(colleague).post(complete_url(made), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url
    made.refresh_from_db()
    assert made.done_by == colleague


def test_an_agent_of_another_department_is_refused(agent, outsider, ticket):
    made = task(agent, assignee=agent, ticket=ticket)
    client = signed_in(outsider)
    assert client.post(complete_url(made)).status_code == 404
    services.task_complete(by=agent, task=made)
    assert client.post(reopen_url(made)).status_code == 404
    made.refresh_from_db()
    assert made.done_by == agent


def test_a_member_who_does_not_work_tickets_may_not_close_anothers_task(agent, department):
    made = task(agent, assignee=agent, department=department)
    viewer = f.UserFactory(username="viewer", departments=[department])
    assert signed_in(viewer).post(complete_url(made)).status_code == 403
    made.refresh_from_db()
    assert made.done_at is None


def test_complete_and_reopen_are_post_only(agent, agent_client):
    made = task(agent, assignee=agent)
    assert agent_client.get(complete_url(made)).status_code == 405
    assert agent_client.get(reopen_url(made)).status_code == 405
    made.refresh_from_db()
    assert made.done_at is None


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example.com/",
        "//evil.example.com/tasks/",
        "/\\evil.example.com/",
        "javascript:alert(1)",
        "tasks/",
        "",
    ],
)
def test_next_must_be_a_local_path(agent, agent_client, next_url):
    made = task(agent, assignee=agent)
    response = agent_client.post(complete_url(made), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == MY_TASKS


def test_forged_task_addresses_are_404(agent_client):
    assert agent_client.post("/tasks/99999999999999999999999/done/").status_code == 404
    assert agent_client.post("/tasks/424242/reopen/").status_code == 404


def test_completing_twice_changes_nothing(agent, agent_client):
    made = task(agent, assignee=agent)
    agent_client.post(complete_url(made))
    made.refresh_from_db()
    first = made.done_at
    assert agent_client.post(complete_url(made)).status_code == 302
    made.refresh_from_db()
    assert made.done_at == first


# --- tasks made by rules ---------------------------------------------------------------------


def test_a_task_made_by_a_rule_names_the_rule(administrator, agent, agent_client, department):
    rule = services.rule_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        name="Call new customers",
        trigger=Rule.Trigger.CREATED,
        task_subject="Welcome call",
        task_assignee=agent,
    )
    ticket = ticket_create(
        by=administrator, account=f.AccountFactory(), department=department, subject="Hello"
    )
    run_queued_tasks()
    (made,) = Task.objects.filter(rule=rule)
    assert made.rule_name == "Call new customers"

    for url in (MY_TASKS, ticket.get_absolute_url()):
        html = agent_client.get(url).content.decode()
        row = html[html.index(f'id="task-{made.pk}"') :]
        row = row[: row.index("</tr>")]
        assert "Made by the rule:" in row and "Call new customers" in row
        assert rule.get_absolute_url() not in row  # an agent does not manage automation

    html = signed_in(administrator).get(ticket.get_absolute_url()).content.decode()
    row = html[html.index(f'id="task-{made.pk}"') :]
    assert f'<a href="{rule.get_absolute_url()}">Call new customers</a>' in row

    services.rule_delete(by=administrator, rule=rule)
    html = agent_client.get(MY_TASKS).content.decode()
    assert "Call new customers" in html  # the name stays when the rule goes
