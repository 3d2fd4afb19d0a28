import datetime

import pytest
from django.core.management import call_command

from sla import escalations
from sla.models import EscalationLevel
from tests import factories as f
from tickets.choices import Priority, Status
from tickets.models import EscalationFiring, Ticket

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 9, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def sla(department):
    return f.SLAFactory(department=department)


def make_ticket(sla, department, **kwargs):
    values = {
        "sla": sla,
        "department": department,
        "priority": Priority.HIGH,
        "response_due_at": NOON - datetime.timedelta(minutes=10),
        "resolution_due_at": NOON + datetime.timedelta(hours=7),
    }
    values.update(kwargs)
    ticket = f.TicketFactory(**values)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=NOON - datetime.timedelta(hours=1))
    return ticket


def notify_level(sla, users, level=1, **kwargs):
    lvl = EscalationLevel.objects.create(
        sla=sla, level=level, target=kwargs.pop("target", "response"), action="notify", **kwargs
    )
    lvl.notify_users.set(users)
    return lvl


def test_run_twice_sends_each_notice_once(
    sla, department, agent, administrator, mailoutbox, django_capture_on_commit_callbacks
):
    notify_level(sla, [agent, administrator])
    ticket = make_ticket(sla, department)
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations.run(now=NOON) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations.run(now=NOON) == 0
    assert len(mailoutbox) == 2
    assert {m.to[0] for m in mailoutbox} == {agent.email, administrator.email}
    assert f"#{ticket.pk}" in mailoutbox[0].subject
    assert EscalationFiring.objects.filter(ticket=ticket).count() == 1
    record = ticket.history.first()
    assert record.history_change_reason.startswith("Escalation level 1")


def test_no_mail_before_commit(
    sla, department, agent, mailoutbox, django_capture_on_commit_callbacks
):
    notify_level(sla, [agent])
    make_ticket(sla, department)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        escalations.run(now=NOON)
    assert len(callbacks) == 1 and mailoutbox == []


def test_not_yet_due_on_hold_resolved_and_responded_tickets_do_not_fire(
    sla, department, agent, mailoutbox, django_capture_on_commit_callbacks
):
    notify_level(sla, [agent], offset_minutes=15)  # 15 minutes after the response breach
    make_ticket(sla, department)  # breached 10 minutes ago: not yet
    make_ticket(
        sla, department, status=Status.ON_HOLD, response_due_at=NOON - datetime.timedelta(hours=1)
    )
    make_ticket(
        sla, department, status=Status.RESOLVED, response_due_at=NOON - datetime.timedelta(hours=1)
    )
    make_ticket(
        sla, department, first_responded_at=NOON, response_due_at=NOON - datetime.timedelta(hours=1)
    )
    make_ticket(None, department, response_due_at=NOON - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations.run(now=NOON) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations.run(now=NOON + datetime.timedelta(minutes=5)) == 1
    assert len(mailoutbox) == 1


def test_level_before_the_breach(sla, department, agent, django_capture_on_commit_callbacks):
    notify_level(sla, [agent], target="resolution", offset_minutes=-8 * 60)
    make_ticket(sla, department)  # resolution due in 7 h: an 8 h warning is due
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations.run(now=NOON) == 1


def test_reassign_and_raise_priority_recorded_on_history(sla, department, agent):
    other = f.AgentFactory(username="other", departments=[department])
    EscalationLevel.objects.create(
        sla=sla, level=1, target="response", action="reassign", reassign_to=other
    )
    EscalationLevel.objects.create(sla=sla, level=2, target="response", action="raise_priority")
    ticket = make_ticket(sla, department, assignee=agent)
    assert escalations.run(now=NOON) == 2
    ticket.refresh_from_db()
    assert ticket.assignee == other
    assert ticket.priority == Priority.URGENT
    created = NOON - datetime.timedelta(hours=1)
    assert ticket.response_due_at == created + datetime.timedelta(minutes=30)  # urgent target
    assert ticket.resolution_due_at == created + datetime.timedelta(hours=4)
    reason = ticket.history.first().history_change_reason
    assert "reassigned to other" in reason and "high → urgent" in reason
    # The new (already passed) due time re-arms the other levels once, but the raise does not
    # fire again for the due time it produced, so it never cascades.
    later = NOON + datetime.timedelta(minutes=1)
    assert escalations.run(now=later) == 1
    assert escalations.run(now=later) == 0
    ticket.refresh_from_db()
    assert ticket.priority == Priority.URGENT


def test_a_moved_due_time_can_escalate_again(
    sla, department, agent, django_capture_on_commit_callbacks, mailoutbox
):
    notify_level(sla, [agent])
    ticket = make_ticket(sla, department)
    with django_capture_on_commit_callbacks(execute=True):
        escalations.run(now=NOON)
    Ticket.objects.filter(pk=ticket.pk).update(
        response_due_at=NOON + datetime.timedelta(minutes=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert escalations.run(now=NOON + datetime.timedelta(minutes=31)) == 1
    assert len(mailoutbox) == 2


def test_candidate_query_count_does_not_grow_with_tickets(
    sla, department, agent, django_assert_max_num_queries
):
    notify_level(sla, [agent], offset_minutes=60)
    for _ in range(30):
        make_ticket(sla, department)  # none due yet
    with django_assert_max_num_queries(3):
        assert escalations.run(now=NOON) == 0


def test_management_command(sla, department, agent, capsys):
    call_command("run_escalations")
    assert "0 escalation(s) fired." in capsys.readouterr().out
