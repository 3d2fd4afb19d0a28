"""An SLA saved before its targets were bounded (35,791,394 hours on a one-minute weekly
schedule) never makes its tickets answer 500: a due time the schedule cannot reach within the
clock's horizon is left empty, with a warning in the log, and everything else goes on."""

import datetime
import logging
import time

import pytest
from django.utils import timezone

from desk.choices import Priority, Status
from sla import clock
from sla.models import EscalationLevel, SLATarget, WorkingPeriod
from tests import factories as f
from tickets import escalations, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

MONDAY = datetime.datetime(2026, 3, 9, 8, 0, tzinfo=datetime.UTC)
OLD_TARGET = 35_791_394 * 60  # minutes: what the SLA page took before it was bounded


@pytest.fixture
def sparse_sla(department):
    """One minute of business time a week; the high priority's targets far past any horizon."""
    sla = f.SLAFactory(department=department, business_hours="weekly", targets={})
    WorkingPeriod.objects.create(
        sla=sla, weekday=0, start_time=datetime.time(9, 0), end_time=datetime.time(9, 1)
    )
    for priority in Priority.values:
        response, resolution = (OLD_TARGET, OLD_TARGET) if priority == Priority.HIGH else (1, 2)
        SLATarget.objects.create(
            sla=sla, priority=priority, response_minutes=response, resolution_minutes=resolution
        )
    return sla


@pytest.fixture
def sparse_contract(sparse_sla, department, account, administrator):
    plan = f.SupportPlanFactory(department=department, sla=sparse_sla)
    return f.ContractFactory(
        account=account,
        support_plan=plan,
        owner=administrator,
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: MONDAY)
    return MONDAY


def test_a_ticket_under_it_is_created_without_due_times_and_quickly(
    sparse_contract, open_ticket, now, caplog
):
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="sla.clock"):
        ticket = open_ticket(priority=Priority.HIGH)
    assert time.monotonic() - began < 5
    assert ticket.sla == sparse_contract.support_plan.sla
    assert (ticket.response_due_at, ticket.resolution_due_at) == (None, None)
    assert "no due time" in caplog.text


def test_raising_the_priority_to_it_clears_the_due_times(sparse_contract, open_ticket, agent, now):
    ticket = open_ticket(priority=Priority.MEDIUM)
    assert ticket.response_due_at == datetime.datetime(2026, 3, 9, 9, 1, tzinfo=datetime.UTC)
    ticket = services.ticket_update(by=agent, ticket=ticket, priority=Priority.HIGH)
    assert (ticket.response_due_at, ticket.resolution_due_at) == (None, None)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.priority, stored.resolution_due_at) == (Priority.HIGH, None)


def test_resuming_after_a_pause_past_the_horizon_leaves_no_due_time(
    sparse_contract, open_ticket, agent, now
):
    ticket = open_ticket(priority=Priority.MEDIUM)
    ticket = services.ticket_update(by=agent, ticket=ticket, status=Status.ON_HOLD, at=MONDAY)
    later = MONDAY + datetime.timedelta(days=30 * 366)
    ticket = services.ticket_update(by=agent, ticket=ticket, status=Status.IN_PROGRESS, at=later)
    assert ticket.sla_paused_minutes == 30 * 366 * 24 * 60  # counted in clock time, logged
    assert ticket.resolution_due_at is None


def test_a_priority_raised_by_an_escalation_clears_the_due_times(sparse_sla, department, now):
    EscalationLevel.objects.create(
        sla=sparse_sla, level=1, target="response", offset_minutes=0, action="raise_priority"
    )
    ticket = f.TicketFactory(
        sla=sparse_sla,
        department=department,
        priority=Priority.MEDIUM,
        response_due_at=MONDAY - datetime.timedelta(minutes=5),
        resolution_due_at=MONDAY + datetime.timedelta(days=7),
    )
    assert escalations.run(now=MONDAY) == 1
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH
    assert (ticket.response_due_at, ticket.resolution_due_at) == (None, None)


def test_the_clock_leaves_a_due_time_past_the_horizon_empty(sparse_sla):
    assert clock.due_times(sla=sparse_sla, priority=Priority.HIGH, start=MONDAY) == (None, None)
    assert clock.shift(sla=sparse_sla, due=MONDAY, minutes=OLD_TARGET) is None
    response, resolution = clock.due_times(sla=sparse_sla, priority=Priority.LOW, start=MONDAY)
    assert (response.minute, resolution) == (
        1,
        datetime.datetime(2026, 3, 16, 9, 1, tzinfo=datetime.UTC),
    )
