import datetime

import pytest
from django.template.loader import render_to_string

from desk.choices import Priority, Status
from sla import clock as sla_clock
from tests import factories as f
from tests.sla.conftest import add_holiday, shanghai
from tickets import services as ticket_services
from tickets.conversation import reply_add

pytestmark = pytest.mark.django_db

FRIDAY_1730 = shanghai(2026, 3, 6, 17, 30)


def create_high(contract, agent):
    return ticket_services.ticket_create(
        by=agent,
        subject="Line down",
        account=contract.account,
        department=contract.support_plan.department,
        priority=Priority.HIGH,
    )


def test_friday_evening_ticket_is_due_monday(office_contract, agent, clock):
    clock(FRIDAY_1730)
    ticket = create_high(office_contract, agent)
    assert ticket.sla == office_contract.support_plan.sla
    assert ticket.response_due_at == shanghai(2026, 3, 9, 9, 30)
    assert ticket.resolution_due_at == shanghai(2026, 3, 9, 16, 30)


def test_monday_holiday_moves_due_times_to_tuesday(office_contract, holidays, agent, clock):
    add_holiday(holidays, datetime.date(2026, 3, 9))
    clock(FRIDAY_1730)
    ticket = create_high(office_contract, agent)
    assert ticket.response_due_at == shanghai(2026, 3, 10, 9, 30)
    assert ticket.resolution_due_at == shanghai(2026, 3, 10, 16, 30)


def test_two_business_hours_on_hold_move_due_times_by_two_business_hours(
    office_contract, agent, clock
):
    clock(shanghai(2026, 3, 9, 10, 0))  # Monday 10:00
    ticket = create_high(office_contract, agent)
    assert ticket.resolution_due_at == shanghai(2026, 3, 9, 18, 0)
    ticket = ticket_services.ticket_update(
        by=agent, ticket=ticket, status=Status.ON_HOLD, at=shanghai(2026, 3, 9, 17, 0)
    )
    # On hold 17:00 Monday → 10:00 Tuesday: one business hour each side of the night.
    ticket = ticket_services.ticket_update(
        by=agent, ticket=ticket, status=Status.IN_PROGRESS, at=shanghai(2026, 3, 10, 10, 0)
    )
    assert ticket.sla_paused_minutes == 120
    assert ticket.resolution_due_at == shanghai(2026, 3, 10, 11, 0)


def test_recompute_follows_priority_and_keeps_paused_time(office_contract, agent, clock):
    clock(FRIDAY_1730)
    ticket = create_high(office_contract, agent)
    ticket.priority = Priority.URGENT  # 30 min / 4 h
    ticket.sla_paused_minutes = 60
    sla_clock.recompute_due_times(ticket=ticket)
    assert ticket.response_due_at == shanghai(2026, 3, 9, 10, 0)
    assert ticket.resolution_due_at == shanghai(2026, 3, 9, 13, 30)


def test_recompute_without_sla_clears_due_times(office_contract, agent, clock):
    clock(FRIDAY_1730)
    ticket = create_high(office_contract, agent)
    ticket.sla = None
    sla_clock.recompute_due_times(ticket=ticket)
    assert ticket.response_due_at is None and ticket.resolution_due_at is None


def test_24x7_sla_counts_wall_clock_time(department, agent, clock):
    contract = f.ContractFactory(
        support_plan=f.SupportPlanFactory(department=department),
        start_date=datetime.date(2026, 1, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    clock(FRIDAY_1730)
    ticket = create_high(contract, agent)
    assert ticket.response_due_at == FRIDAY_1730 + datetime.timedelta(hours=1)


def render(ticket):
    return render_to_string("tickets/includes/due_times.html", {"ticket": ticket})


def test_due_times_show_iso_instant_and_time_left(
    office_contract, agent, clock, django_assert_num_queries
):
    clock(FRIDAY_1730)
    ticket = create_high(office_contract, agent)
    clock(shanghai(2026, 3, 9, 13, 10))  # Monday 13:10
    with django_assert_num_queries(0):
        html = render(ticket)
    assert '<time datetime="2026-03-09T01:30:00+00:00">' in html
    assert "overdue by 3 h 40 min" in html
    assert "in 3 h 20 min" in html


def test_due_times_say_met_and_paused(office_contract, agent, clock):
    clock(FRIDAY_1730)
    ticket = create_high(office_contract, agent)
    # The first public reply of an agent is the first response (SPEC section 9), a status
    # change is none: put on hold at 09:10, the response is still to come; then the reply.
    ticket = ticket_services.ticket_update(
        by=agent, ticket=ticket, status=Status.ON_HOLD, at=shanghai(2026, 3, 9, 9, 10)
    )
    assert ticket.first_responded_at is None
    assert "met" not in render(ticket)
    clock(shanghai(2026, 3, 9, 9, 10))
    reply_add(by=agent, ticket=ticket, body="Replacing the line card today.")
    ticket.refresh_from_db()
    assert ticket.first_responded_at == shanghai(2026, 3, 9, 9, 10)
    html = render(ticket)
    assert "met" in html  # responded at 09:10, due 09:30
    assert "paused" in html
    # Resumed on Thursday 09:00 (due moves to Thursday 16:20), resolved on Friday.
    ticket = ticket_services.ticket_update(
        by=agent, ticket=ticket, status=Status.IN_PROGRESS, at=shanghai(2026, 3, 12, 9, 0)
    )
    assert ticket.resolution_due_at == shanghai(2026, 3, 12, 16, 20)
    clock(shanghai(2026, 3, 13, 10, 0))
    ticket = ticket_services.ticket_update(by=agent, ticket=ticket, status=Status.RESOLVED)
    html = render(ticket)
    assert "missed" in html
