"""Time-based rules (SPEC section 11, issue 19): fired by the passing of time, once per episode.

The article's example, "On hold for more than 48 hours → email the assignee and raise the
priority", counted in the business hours of the ticket's SLA (Monday to Friday, 9:00–17:00 UTC:
eight hours a day): it fires once after 49 business hours, not after 49 calendar hours over a
weekend, not again the next hour, and again only after the ticket leaves On hold and comes back
for 48 more hours. Two runs in the same hour evaluate it once.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError

from automation import services, timed
from automation.models import RAISE_PRIORITY, Firing, Module, Rule
from desk.choices import Priority, Status
from desk.models import OutgoingEmail
from sla.models import SLA, WorkingPeriod
from tests import factories as f
from tests.conftest import run_queued_tasks
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
MONDAY = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def at(days: float = 0, hours: float = 0) -> datetime.datetime:
    return MONDAY + datetime.timedelta(days=days, hours=hours)


@pytest.fixture
def office_sla(department):
    sla = f.SLAFactory(
        department=department,
        name="Office hours",
        business_hours=SLA.BusinessHours.WEEKLY,
        time_zone="UTC",
    )
    for day in range(5):
        WorkingPeriod.objects.create(
            sla=sla, weekday=day, start_time=datetime.time(9), end_time=datetime.time(17)
        )
    return sla


@pytest.fixture
def ticket(department, agent, office_sla):
    ticket = f.TicketFactory(
        department=department,
        sla=office_sla,
        assignee=agent,
        priority=Priority.MEDIUM,
        status=Status.OPEN,
        status_changed_at=at(-7),
    )
    return Ticket.objects.get(pk=ticket.pk)


@pytest.fixture
def template(administrator, department):
    return services.template_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        name="On hold too long",
        subject="{ticket.number} has been on hold for two days",
        body="{ticket.subject}: {ticket.link}",
    )


@pytest.fixture
def on_hold_rule(administrator, department, template):
    return services.rule_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        kind=Rule.Kind.TIME_BASED,
        name="On hold for more than 48 hours",
        time_field=Rule.TimeField.STATUS_CHANGED,
        time_operator=Rule.TimeOperator.GREATER,
        time_hours=48,
        business_hours=True,
        criteria=[{"field": "status", "operator": "is", "value": Status.ON_HOLD}],
        set_priority=RAISE_PRIORITY,
        alert_template=template,
        alert_assignee=True,
    )


def put_on_hold(ticket, by, when):
    return ticket_services.ticket_update(by=by, ticket=ticket, status=Status.ON_HOLD, at=when)


def test_fires_once_after_48_business_hours_and_again_only_in_a_new_episode(
    ticket, on_hold_rule, administrator, agent
):
    put_on_hold(ticket, administrator, at())  # Monday 09:00
    # Friday 17:00 is 40 business hours; the next Monday 17:00 is 48: not more than 48 yet.
    assert timed.run_rule(on_hold_rule, at(7, 8)) == 0
    # Tuesday 10:00 of the next week: 49 business hours.
    assert timed.run_rule(on_hold_rule, at(8, 1)) == 1
    run_queued_tasks()  # the task workers act on the firings it queued
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH  # one step up from medium
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [agent.email]
    # The next hour, and the one after: the same episode, nothing more.
    assert timed.run_rule(on_hold_rule, at(8, 2)) == 0
    assert timed.run_rule(on_hold_rule, at(8, 3)) == 0
    assert Firing.objects.filter(rule=on_hold_rule).count() == 1

    # Out of On hold and back: a new episode, which fires only 48 business hours later.
    ticket_services.ticket_update(by=administrator, ticket=ticket, status=Status.OPEN, at=at(8, 4))
    put_on_hold(Ticket.objects.get(pk=ticket.pk), administrator, at(8, 5))  # Tuesday 14:00
    assert timed.run_rule(on_hold_rule, at(9, 5)) == 0
    assert timed.run_rule(on_hold_rule, at(16, 6)) == 1  # 49 business hours later
    run_queued_tasks()  # the task workers act on the firings it queued
    assert Firing.objects.filter(rule=on_hold_rule).count() == 2


def test_a_weekend_of_calendar_hours_is_not_business_hours(ticket, on_hold_rule, administrator):
    put_on_hold(ticket, administrator, at(4))  # Friday 09:00
    # Sunday 10:00: 49 calendar hours, 8 business hours.
    assert timed.run_rule(on_hold_rule, at(6, 1)) == 0
    assert not Firing.objects.exists()


def test_in_calendar_hours_the_weekend_counts(ticket, on_hold_rule, administrator):
    services.rule_update(by=administrator, rule=on_hold_rule, business_hours=False)
    on_hold_rule.refresh_from_db()
    put_on_hold(ticket, administrator, at(4))
    assert timed.run_rule(on_hold_rule, at(6, 0)) == 0  # exactly 48 hours: not more
    assert timed.run_rule(on_hold_rule, at(6, 1)) == 1


def test_the_run_claims_the_episode_and_the_workers_act_on_it(
    ticket, on_hold_rule, administrator, agent
):
    """The hourly run decides and claims each firing's episode (a queued firing); the task
    workers do its actions, each firing once however many times its task runs."""
    put_on_hold(ticket, administrator, at())
    assert timed.run_rule(on_hold_rule, at(8, 1)) == 1
    firing = Firing.objects.get(rule=on_hold_rule)
    assert firing.outcome == Firing.Outcome.QUEUED
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM  # not yet
    assert not OutgoingEmail.objects.exists()
    assert timed.run_rule(on_hold_rule, at(8, 2)) == 0  # the episode is claimed
    assert run_queued_tasks() >= 1
    firing.refresh_from_db()
    assert firing.outcome == Firing.Outcome.DONE
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.HIGH
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == [agent.email]
    assert timed.act([firing.pk]) == 0  # a task run twice: nothing more
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.HIGH


def test_a_queued_firing_lapses_when_its_ticket_moved_on(ticket, on_hold_rule, administrator):
    """Off hold before a worker came to it: a new episode, so the queued firing lapses (deleted,
    nothing done), and the new episode fires in its own time."""
    put_on_hold(ticket, administrator, at())
    assert timed.run_rule(on_hold_rule, at(8, 1)) == 1
    ticket_services.ticket_update(by=administrator, ticket=ticket, status=Status.OPEN, at=at(8, 1))
    run_queued_tasks()
    assert not Firing.objects.filter(rule=on_hold_rule).exists()
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM


def test_a_queued_firing_of_a_rule_deactivated_since_lapses(ticket, on_hold_rule, administrator):
    put_on_hold(ticket, administrator, at())
    assert timed.run_rule(on_hold_rule, at(8, 1)) == 1
    services.rule_set_active(by=administrator, rule=on_hold_rule, is_active=False)
    run_queued_tasks()
    assert not Firing.objects.filter(rule=on_hold_rule).exists()
    assert Ticket.objects.get(pk=ticket.pk).priority == Priority.MEDIUM


def test_two_runs_in_one_hour_evaluate_the_rule_once(ticket, on_hold_rule, administrator):
    put_on_hold(ticket, administrator, at())
    assert timed.run(now=at(8, 1)) == 1
    assert timed.run(now=at(8, 1) + datetime.timedelta(minutes=1)) == 0
    on_hold_rule.refresh_from_db()
    assert on_hold_rule.last_run_at == at(8, 1)
    # Even a rerun that ignores the claim fires nothing twice: the episode's unique key.
    Rule.objects.filter(pk=on_hold_rule.pk).update(last_run_at=None)
    assert timed.run(now=at(8, 1)) == 0
    assert Firing.objects.filter(rule=on_hold_rule).count() == 1


def test_on_hold_tickets_never_match_a_due_time_condition(
    ticket, administrator, department, template
):
    rule = services.rule_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        kind=Rule.Kind.TIME_BASED,
        name="Resolution due within 2 hours",
        time_field=Rule.TimeField.RESOLUTION_DUE,
        time_operator=Rule.TimeOperator.LESS,
        time_hours=2,
        alert_template=template,
        alert_assignee=True,
    )
    Ticket.objects.filter(pk=ticket.pk).update(resolution_due_at=at(0, 1))
    ticket = Ticket.objects.get(pk=ticket.pk)
    count, first = timed.would_fire(rule, at())
    assert count == 1 and first[0].ticket == ticket
    put_on_hold(ticket, administrator, at())
    assert timed.would_fire(rule, at()) == (0, [])
    assert timed.run_rule(rule, at()) == 0


def test_a_time_based_rule_is_for_tickets_with_a_condition_and_no_webhook(
    administrator, department, template
):
    with pytest.raises(ValidationError) as refused:
        services.rule_create(
            by=administrator,
            department=department,
            module=Module.TICKETS,
            kind=Rule.Kind.TIME_BASED,
            name="Broken",
            time_hours=0,
            webhook_url="https://example.com/hook",
            alert_template=template,
            alert_assignee=True,
        )
    assert set(refused.value.message_dict) == {"time_field", "time_hours", "webhook_url"}


def test_the_limit_per_department_counts_time_based_rules_apart(
    settings, administrator, department, on_hold_rule
):
    settings.TIME_RULES_PER_DEPARTMENT = 1
    with pytest.raises(ValidationError, match="1 active time-based rules"):
        services.rule_create(
            by=administrator,
            department=department,
            module=Module.TICKETS,
            kind=Rule.Kind.TIME_BASED,
            name="Second",
            time_field=Rule.TimeField.CREATED,
            time_hours=5,
            set_priority=Priority.HIGH,
        )


def test_the_scan_filter_lets_through_every_ticket_the_criteria_hold_for(department, agent):
    """``criteria.as_q`` narrows a time-based rule's scan in SQL; ``evaluate`` decides. For any
    criteria and pattern, no ticket the criteria hold for may be filtered out."""
    from automation import criteria

    other = f.AgentFactory(departments=[department])
    tickets = [
        f.TicketFactory(department=department, subject=subject, priority=priority, assignee=who)
        for subject, priority, who in [
            ("Printer offline", Priority.URGENT, agent),
            ("printer jam", Priority.LOW, None),
            ("Invoice wrong", Priority.URGENT, other),
            ("VPN down", Priority.HIGH, None),
        ]
    ]
    rows = [
        {"field": "subject", "operator": "contains", "value": "PRINTER"},
        {"field": "priority", "operator": "is", "value": Priority.URGENT},
        {"field": "assignee", "operator": "empty", "value": None},
        {"field": "credits_left", "operator": "lte", "value": 1},  # decided in Python only
        {"field": "assignee", "operator": "is_not", "value": str(agent.pk)},
        {"field": "subject", "operator": "not_contains", "value": "vpn"},
    ]
    shapes = [
        ("and", ""),
        ("or", ""),
        ("and", "1 and (2 or 3)"),
        ("and", "(1 or 4) and (2 or 3)"),
        ("and", "4 or 6 or (1 and 2 and 3 and 5)"),
        ("and", "(1 and 2) or (3 and 6) or (4 and 5)"),
    ]
    for join, pattern in shapes:
        used = rows if not pattern else rows[: max(int(c) for c in pattern if c.isdigit())]
        rule = Rule(module=Module.TICKETS, criteria=used, join=join, pattern=pattern)
        if pattern:
            criteria.parse_pattern(pattern, len(used))  # a valid pattern, not a refused one
        passing = set(
            Ticket.objects.filter(criteria.as_q(rule), department=department).values_list(
                "pk", flat=True
            )
        )
        for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):
            if criteria.evaluate(rule, criteria.Facts(Module.TICKETS, ticket)).holds:
                assert ticket.pk in passing, (join, pattern, ticket.subject)


def test_hours_since_a_reply_and_since_resolved(ticket, administrator, department, agent):
    from automation.timed import Calendars, hours

    rule = Rule(
        module=Module.TICKETS,
        kind=Rule.Kind.TIME_BASED,
        time_field=Rule.TimeField.CUSTOMER_REPLY,
        time_operator=Rule.TimeOperator.IS,
        time_hours=5,
    )
    calendars = Calendars()
    assert hours(rule, ticket, at(), calendars) is None  # no reply: the condition cannot hold
    ticket.last_customer_reply_at = at()
    assert hours(rule, ticket, at(0, 5.5), calendars) == 5
    rule.time_field = Rule.TimeField.RESPONSE_DUE
    ticket.response_due_at = at(0, 3)
    assert hours(rule, ticket, at(), calendars) == 3
    ticket.first_responded_at = at()
    assert hours(rule, ticket, at(), calendars) is None  # answered: no response due any more
    ticket.response_due_at, ticket.first_responded_at = at(-1), None
    assert hours(rule, ticket, at(), calendars) == -24  # overdue by a day


def test_a_resolved_condition_reads_resolved_tickets_only(ticket, administrator, department):
    rule = services.rule_create(
        by=administrator,
        department=department,
        module=Module.TICKETS,
        kind=Rule.Kind.TIME_BASED,
        name="Resolved three days ago",
        time_field=Rule.TimeField.RESOLVED,
        time_operator=Rule.TimeOperator.IS,
        time_hours=72,
        task_subject="Ask how it went",
    )
    ticket_services.ticket_update(by=administrator, ticket=ticket, status=Status.RESOLVED)
    resolved_at = Ticket.objects.get(pk=ticket.pk).resolved_at
    later = resolved_at + datetime.timedelta(hours=72, minutes=30)
    assert timed.run_rule(rule, later) == 1
    run_queued_tasks()  # the task workers act on the firings it queued
    assert ticket.tasks.get().subject == "Ask how it went"
    open_one = f.TicketFactory(department=department, status=Status.OPEN, resolved_at=None)
    assert open_one not in timed.candidates(rule, later)
