"""Sweeps (issue 21): an hourly run reads only the tickets whose answer can have changed since
the rule's last run, and still fires everything the full evaluation would.

Each test writes the tickets' ``updated_at`` as the desk would have (the time of their last
write), runs the rule once so that it is swept, and then checks what the next run fires: a
condition that came true since, in business hours across a weekend; criteria an edit made true;
criteria that follow the account, which change without the ticket being written; a due time the
hours have come close to.
"""

import datetime

import pytest

from automation import services, timed
from automation.models import RAISE_PRIORITY, Firing, Module, Rule
from desk.choices import Priority, Status
from sla.models import SLA, WorkingPeriod
from tests import factories as f
from tests.concurrency import run_together
from tests.conftest import run_queued_tasks
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MONDAY = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC
HOUR = datetime.timedelta(hours=1)


def at(days: float = 0, hours: float = 0) -> datetime.datetime:
    return MONDAY + datetime.timedelta(days=days, hours=hours)


def written(ticket, when):
    """The ticket as last written at ``when`` (what ``auto_now`` would have kept)."""
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=when)


def time_rule(by, department, **fields):
    values = {
        "module": Module.TICKETS,
        "kind": Rule.Kind.TIME_BASED,
        "name": "Time rule",
        "time_operator": Rule.TimeOperator.GREATER,
        "set_priority": RAISE_PRIORITY,
    }
    return services.rule_create(by=by, department=department, **(values | fields))


def make_office_sla(department):
    sla = f.SLAFactory(
        department=department, business_hours=SLA.BusinessHours.WEEKLY, time_zone="UTC"
    )
    for day in range(5):
        WorkingPeriod.objects.create(
            sla=sla, weekday=day, start_time=datetime.time(9), end_time=datetime.time(17)
        )
    return sla


@pytest.fixture
def office_sla(department):
    return make_office_sla(department)


def swept_until(rule):
    return Rule.objects.get(pk=rule.pk).swept_until


def test_48_business_hours_reached_after_the_sweep_still_fire(
    department, administrator, agent, office_sla
):
    rule = time_rule(
        administrator,
        department,
        time_field=Rule.TimeField.STATUS_CHANGED,
        time_hours=48,
        business_hours=True,
        criteria=[{"field": "status", "operator": "is", "value": Status.ON_HOLD}],
    )
    ticket = f.TicketFactory(department=department, sla=office_sla, assignee=agent)
    ticket_services.ticket_update(by=administrator, ticket=ticket, status=Status.ON_HOLD, at=at())
    written(ticket, at())
    # The next Monday 17:00: 48 business hours, not more. The run sweeps the rule.
    assert timed.run(now=at(7, 8)) == 0
    assert swept_until(rule) == at(7, 8)
    # Tuesday 10:00: 49 business hours, though 73 calendar hours passed since the ticket was
    # last written, more than the 49 since the sweep a calendar-hours bound would look back.
    assert timed.run(now=at(8, 1)) == 1
    run_queued_tasks()  # the task workers act on the firings it queued
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.HIGH


def assigned_24_business_hours_ago(administrator, department):
    """A rule on tickets assigned exactly 24 business hours ago."""
    return time_rule(
        administrator,
        department,
        time_field=Rule.TimeField.ASSIGNED,
        time_operator=Rule.TimeOperator.IS,
        time_hours=24,
        business_hours=True,
    )


def test_exactly_24_business_hours_across_a_weekend_are_read_by_the_sla_s_calendar(
    department, administrator, agent, office_sla
):
    assigned_24_business_hours_ago(administrator, department)
    ticket = f.TicketFactory(department=department, sla=office_sla, assignee=agent)
    # Assigned on Wednesday 13:00: 24 business hours on Monday 13:00, 120 calendar hours later.
    Ticket.objects.filter(pk=ticket.pk).update(assigned_at=at(2, 4))
    written(ticket, at(2, 4))
    assert timed.run(now=at(7, 3) + datetime.timedelta(minutes=30)) == 0  # 23 business hours
    assert timed.run(now=at(7, 4) + datetime.timedelta(minutes=30)) == 1


def test_slas_on_the_same_calendar_share_one_range_of_the_index(
    department, administrator, agent, office_sla
):
    """A business-hours rule reads a range of moments for each calendar: SLAs whose calendars
    give the same range share it (a round-the-clock SLA's is the calendar time of the tickets
    without one), so that a desk's many SLAs on a few calendars make a short query."""
    other_office = make_office_sla(department)
    f.SLAFactory(department=department, business_hours=SLA.BusinessHours.ALWAYS)
    rule = assigned_24_business_hours_ago(administrator, department)
    now = at(7, 4) + datetime.timedelta(minutes=30)
    assert len(timed.arms(rule, now, timed.Calendars())) == 2  # the offices', calendar time
    tickets = [
        f.TicketFactory(department=department, sla=sla, assignee=agent)
        for sla in (office_sla, other_office)
    ]
    for ticket in tickets:  # Wednesday 13:00: 24 business hours on Monday 13:00
        Ticket.objects.filter(pk=ticket.pk).update(assigned_at=at(2, 4))
        written(ticket, at(2, 4))
    assert timed.run(now=now) == 2


def test_rules_alike_read_their_tickets_once(department, administrator, agent):
    """Rules of one condition and criteria, whatever their actions, share their ranges of the
    index: the department's query is the one rule's, and each rule still fires."""
    alike = {"time_field": Rule.TimeField.CREATED, "time_hours": 2}
    raises = time_rule(administrator, department, **alike)
    assigns = time_rule(
        administrator, department, **alike, name="Assign", set_priority="", set_assignee=agent
    )
    other = time_rule(administrator, department, **(alike | {"time_hours": 3}), name="Other")
    now = at(1)
    query = {
        rules: str(timed.to_read(list(rules), now, timed.Calendars()).query)
        for rules in [(raises,), (raises, assigns), (raises, other)]
    }
    assert query[(raises, assigns)] == query[(raises,)]
    assert query[(raises, other)] != query[(raises,)]  # another condition: another range
    ticket = f.TicketFactory(department=department, priority=Priority.LOW)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=now - 5 * HOUR)
    written(ticket, now - 5 * HOUR)
    assert timed.run(now=now) == 3
    run_queued_tasks()  # the task workers act on the firings it queued
    ticket.refresh_from_db()
    # Each firing reads the ticket as the one before left it: two rules raise it two steps.
    assert (ticket.priority, ticket.assignee) == (Priority.HIGH, agent)


def test_criteria_an_edit_makes_true_fire_on_the_next_run(department, administrator, agent):
    now = datetime.datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    time_rule(
        administrator,
        department,
        time_field=Rule.TimeField.CREATED,
        time_hours=2,
        criteria=[{"field": "priority", "operator": "is", "value": Priority.URGENT}],
        set_priority="",
        set_assignee=agent,
    )
    ticket = f.TicketFactory(department=department, priority=Priority.LOW)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=now - 5 * HOUR)
    written(ticket, now - 5 * HOUR)
    assert timed.run(now=now - HOUR) == 0  # created four hours ago, but not urgent
    ticket_services.ticket_update(
        by=administrator, ticket=Ticket.objects.get(pk=ticket.pk), priority=Priority.URGENT
    )
    assert timed.run(now=now + HOUR) == 1
    run_queued_tasks()  # the task workers act on the firings it queued
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent


def test_criteria_on_the_account_are_read_every_hour(department, administrator):
    rule = time_rule(
        administrator,
        department,
        time_field=Rule.TimeField.CREATED,
        time_hours=2,
        criteria=[{"field": "account", "operator": "contains", "value": "Amber"}],
    )
    ticket = f.TicketFactory(department=department, account__name="Blue Motors")
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at(-1))
    written(ticket, at(-1))
    assert timed.run(now=at()) == 0
    assert swept_until(rule) == at()
    ticket.account.name = "Amber Motors"  # the account is renamed: the ticket is not written
    ticket.account.save()
    assert timed.run(now=at(0, 1)) == 1


def test_a_due_time_the_hours_come_close_to_fires(department, administrator, office_sla):
    time_rule(
        administrator,
        department,
        time_field=Rule.TimeField.RESOLUTION_DUE,
        time_operator=Rule.TimeOperator.LESS,
        time_hours=2,
    )
    ticket = f.TicketFactory(department=department, sla=office_sla, status=Status.OPEN)
    Ticket.objects.filter(pk=ticket.pk).update(resolution_due_at=at(0, 2.5))
    written(ticket, at(-1))
    assert timed.run(now=at()) == 0  # due in two and a half hours
    assert timed.run(now=at(0, 1)) == 1  # due in one and a half


def test_a_changed_or_reactivated_rule_reads_its_whole_scope_again(department, administrator):
    rule = time_rule(
        administrator,
        department,
        time_field=Rule.TimeField.CREATED,
        time_hours=2,
        criteria=[{"field": "subject", "operator": "contains", "value": "printer"}],
    )
    ticket = f.TicketFactory(department=department, subject="Scanner jammed")
    Ticket.objects.filter(pk=ticket.pk).update(created_at=at(-3))
    written(ticket, at(-3))
    assert timed.run(now=at()) == 0
    assert swept_until(rule) == at()
    rule = services.rule_update(
        by=administrator,
        rule=rule,
        criteria=[{"field": "subject", "operator": "contains", "value": "scanner"}],
    )
    assert swept_until(rule) is None
    assert timed.run(now=at(0, 1)) == 1
    assert Firing.objects.get().ticket == ticket

    services.rule_set_active(by=administrator, rule=rule, is_active=False)
    services.rule_set_active(by=administrator, rule=rule, is_active=True)
    assert swept_until(rule) is None


def test_a_run_does_not_mark_swept_a_rule_saved_while_it_ran(department, administrator):
    rule = time_rule(administrator, department, time_field=Rule.TimeField.CREATED, time_hours=2)
    read = Rule.objects.get(pk=rule.pk)
    services.rule_update(by=administrator, rule=rule, time_hours=3)  # saved meanwhile
    timed._swept([read], at())
    assert swept_until(rule) is None
    timed._swept([Rule.objects.get(pk=rule.pk)], at())
    assert swept_until(rule) == at()
    timed._swept([Rule.objects.get(pk=rule.pk)], at(-1))
    assert swept_until(rule) == at()  # an earlier run never moves it back


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_fire_each_rule_once_per_ticket(department, administrator):
    # Saved as they are (a flushed database has lost the groups' permissions the service asks).
    rules = [
        Rule.objects.create(
            department=department,
            module=Module.TICKETS,
            kind=Rule.Kind.TIME_BASED,
            name=f"Created {hours} hours ago",
            time_field=Rule.TimeField.CREATED,
            time_operator=Rule.TimeOperator.GREATER,
            time_hours=hours,
            set_priority=RAISE_PRIORITY,
            owner=administrator,
        )
        for hours in (1, 2, 3)
    ]
    tickets = [f.TicketFactory(department=department) for _ in range(4)]
    Ticket.objects.update(created_at=at(-1))
    fired: list[int] = []
    assert run_together(*[lambda: fired.append(timed.run(now=at()))] * 3) == []
    assert sum(fired) == len(rules) * len(tickets)
    assert Firing.objects.count() == len(rules) * len(tickets)
    assert {rule.last_run_at for rule in Rule.objects.all()} == {at()}


@pytest.fixture
def two_departments(department, other_department):
    """A rule and a ticket it fires for in each of two departments (their administrator works in
    both)."""
    by = f.AdministratorFactory(departments=[department, other_department])
    now = at(1)
    pairs = []
    for each in (department, other_department):
        rule = time_rule(by, each, time_field=Rule.TimeField.CREATED, time_hours=2)
        ticket = f.TicketFactory(department=each, priority=Priority.LOW)
        Ticket.objects.filter(pk=ticket.pk).update(created_at=now - 5 * HOUR)
        written(ticket, now - 5 * HOUR)
        pairs.append((rule.pk, ticket.pk))
    return now, pairs


def test_every_department_is_read_in_one_scan(two_departments):
    """A department's tickets lie on every page of the table: the run reads the tickets of all
    departments' rules at once, and each ticket is decided by its own department's rules."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    now, pairs = two_departments
    with CaptureQueriesContext(connection) as queries:
        assert timed.run(now=now) == 2
    scans = [q for q in queries if q["sql"].startswith('SELECT "tickets_ticket"."id" AS "pk"')]
    assert len(scans) == 1
    assert set(Firing.objects.values_list("rule_id", "ticket_id")) == set(pairs)


def test_a_department_whose_rules_fail_is_skipped_and_the_others_still_fire(
    two_departments, department, monkeypatch
):
    now, pairs = two_departments
    decide = timed._decide

    def failing(rule, ticket, now, calendars):
        if rule.department_id == department.pk:
            raise RuntimeError("a rule that cannot be decided")
        return decide(rule, ticket, now, calendars)

    monkeypatch.setattr(timed, "_decide", failing)
    with pytest.raises(RuntimeError, match=rf"department\(s\) \[{department.pk}\] failed"):
        timed.run(now=now)
    assert list(Firing.objects.values_list("rule_id", "ticket_id")) == [pairs[1]]
