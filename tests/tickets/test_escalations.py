import datetime
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from desk.choices import Priority, Status
from desk.models import OutgoingEmail, Preferences
from sla.models import EscalationLevel
from sla.services.slas import LevelInput, sla_update
from tests import factories as f
from tests.concurrency import run_together
from tests.conftest import run_queued_tasks, then_the_workers
from tickets import escalations
from tickets.models import EscalationFiring, Ticket
from tickets.services import ticket_update

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


def test_each_reader_gets_the_notice_in_their_language_and_time_zone(
    sla, department, agent, administrator, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.DESK_URL = "https://desk.example.com/"
    Preferences.objects.create(user=agent, language="zh-hans", time_zone="Asia/Shanghai")
    notify_level(sla, [agent, administrator])
    # response due 11:50 UTC, 19:50 in Shanghai
    ticket = make_ticket(sla, department, subject="Printer\noffline")
    with then_the_workers():
        escalations.run(now=NOON)
    by_reader = {m.to[0]: m for m in mailoutbox}
    english, chinese = by_reader[administrator.email], by_reader[agent.email]
    assert english.subject == (
        f"Ticket #{ticket.pk} “Printer offline”: response escalated (level 1)"
    )
    assert "Response due: Mar 9, 2026, 11:50 (UTC)." in english.body
    link = f"https://desk.example.com/tickets/{ticket.pk}/"
    assert english.body.endswith(f"Open the ticket: {link}")
    assert f"#{ticket.pk}" in chinese.subject  # its words come with the regenerated catalogue
    assert "2026年3月9日 19:50（Asia/Shanghai）" in chinese.body
    assert chinese.body.rstrip().endswith(link)
    # The ticket's history says what happened in the desk's language, whoever was notified.
    assert ticket.history.first().history_change_reason == "Escalation level 1: notified 2"


def test_run_twice_sends_each_notice_once(
    sla, department, agent, administrator, mailoutbox, django_capture_on_commit_callbacks
):
    notify_level(sla, [agent, administrator])
    ticket = make_ticket(sla, department)
    with then_the_workers():
        assert escalations.run(now=NOON) == 1
    with then_the_workers():
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
    with transaction.atomic():
        escalations.run(now=NOON)
        assert OutgoingEmail.objects.filter(sent_at=None).count() == 1  # queued, in the run's
        assert mailoutbox == []  # transaction; nothing leaves before the workers take it
    run_queued_tasks()
    assert len(mailoutbox) == 1


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
    with then_the_workers():
        assert escalations.run(now=NOON) == 0
    with then_the_workers():
        assert escalations.run(now=NOON + datetime.timedelta(minutes=5)) == 1
    assert len(mailoutbox) == 1


def test_level_before_the_breach(sla, department, agent, django_capture_on_commit_callbacks):
    notify_level(sla, [agent], target="resolution", offset_minutes=-8 * 60)
    make_ticket(sla, department)  # resolution due in 7 h: an 8 h warning is due
    with then_the_workers():
        assert escalations.run(now=NOON) == 1


def test_reassign_and_raise_priority_recorded_on_history(sla, department, agent):
    other = f.AgentFactory(username="other", departments=[department])
    EscalationLevel.objects.create(
        sla=sla, level=1, target="response", action="reassign", reassign_to=other
    )
    EscalationLevel.objects.create(sla=sla, level=2, target="response", action="raise_priority")
    ticket = make_ticket(sla, department, assignee=agent)
    started = timezone.now()
    assert escalations.run(now=NOON) == 2
    ticket.refresh_from_db()
    assert ticket.assignee == other
    assert ticket.assigned_at >= started  # what time-based rules on "assigned" count from
    assert ticket.priority == Priority.URGENT
    created = NOON - datetime.timedelta(hours=1)
    assert ticket.response_due_at == created + datetime.timedelta(minutes=30)  # urgent target
    assert ticket.resolution_due_at == created + datetime.timedelta(hours=4)
    reason = ticket.history.first().history_change_reason
    assert "reassigned to other" in reason and "High → Urgent" in reason
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
    with then_the_workers():
        escalations.run(now=NOON)
    Ticket.objects.filter(pk=ticket.pk).update(
        response_due_at=NOON + datetime.timedelta(minutes=30)
    )
    with then_the_workers():
        assert escalations.run(now=NOON + datetime.timedelta(minutes=31)) == 1
    assert len(mailoutbox) == 2


def test_candidate_query_count_does_not_grow_with_tickets(
    sla, department, agent, django_assert_max_num_queries
):
    notify_level(sla, [agent], offset_minutes=60)
    for _ in range(30):
        make_ticket(sla, department)  # none due yet
    # The levels, their readers, the candidates, the levels marked swept.
    with django_assert_max_num_queries(4):
        assert escalations.run(now=NOON) == 0


def _ticket_number(subject):
    return int(subject.split("#")[1].split()[0])


# -- chunked runs --------------------------------------------------------------------------------


def _levels_of_every_kind(sla, department, agent):
    other = f.AgentFactory(username="other", departments=[department])
    notify_level(sla, [agent], level=1)
    EscalationLevel.objects.create(
        sla=sla, level=2, target="response", action="reassign", reassign_to=other
    )
    EscalationLevel.objects.create(sla=sla, level=3, target="response", action="raise_priority")


def _queries_of_a_run(count, sla, department, agent):
    for _ in range(count):
        make_ticket(sla, department, assignee=agent)
    with CaptureQueriesContext(connection) as queries:
        assert escalations.run(now=NOON) == 3 * count
    run_queued_tasks()
    return len(queries.captured_queries)


def test_query_count_of_a_run_does_not_grow_with_due_tickets(
    sla, department, agent, mailoutbox, django_capture_on_commit_callbacks
):
    _levels_of_every_kind(sla, department, agent)
    few = _queries_of_a_run(3, sla, department, agent)
    Ticket.objects.all().delete()
    many = _queries_of_a_run(30, sla, department, agent)
    assert few == many
    assert len(mailoutbox) == 33


def test_every_chunk_fires_records_history_and_mails_after_its_commit(
    sla, department, agent, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(escalations, "CHUNK", 2)
    notify_level(sla, [agent])
    tickets = [make_ticket(sla, department) for _ in range(5)]
    with then_the_workers():
        assert escalations.run(now=NOON) == 5
    assert OutgoingEmail.objects.count() == 5
    assert DBTaskResult.objects.count() == 3  # one delivery task per chunk
    assert sorted(_ticket_number(m.subject) for m in mailoutbox) == [t.pk for t in tickets]
    for ticket in tickets:
        record = ticket.history.first()
        assert record.history_type == "~"
        assert record.history_change_reason == "Escalation level 1: notified 1"
        assert EscalationFiring.objects.filter(ticket=ticket).count() == 1
    with then_the_workers():
        assert escalations.run(now=NOON) == 0
    assert len(mailoutbox) == 5


def test_each_ticket_records_its_own_actions(sla, department, agent):
    other = f.AgentFactory(username="other", departments=[department])
    EscalationLevel.objects.create(
        sla=sla, level=1, target="response", action="reassign", reassign_to=other
    )
    EscalationLevel.objects.create(
        sla=sla, level=2, target="resolution", offset_minutes=-8 * 60, action="raise_priority"
    )
    responded = make_ticket(sla, department, assignee=agent, first_responded_at=NOON)
    breached = make_ticket(sla, department, assignee=agent, priority=Priority.LOW)
    assert escalations.run(now=NOON) == 3
    responded.refresh_from_db()
    breached.refresh_from_db()
    assert responded.assignee == agent  # responded: no response-level reassignment
    assert responded.priority == Priority.URGENT
    assert breached.assignee == other
    assert breached.priority == Priority.MEDIUM
    assert responded.history.first().history_change_reason == (
        "Escalation level 2: priority High → Urgent"
    )
    assert breached.history.first().history_change_reason == (
        "Escalation level 1: reassigned to other; 2: priority Low → Medium"
    )


def test_a_ticket_put_on_hold_after_the_candidate_query_does_not_fire(sla, department, agent):
    notify_level(sla, [agent])
    ticket = make_ticket(sla, department)
    levels = escalations._levels()
    ids = list(escalations.candidates(NOON, levels).values_list("pk", flat=True))
    assert ids == [ticket.pk]
    Ticket.objects.filter(pk=ticket.pk).update(status=Status.ON_HOLD)
    by_sla = {sla.pk: levels}
    assert escalations._escalate_chunk(ticket_ids=ids, by_sla=by_sla, slas={}, now=NOON) == 0
    assert not EscalationFiring.objects.exists()


# -- two runs at once (PostgreSQL row locks) -----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_ticket_locked_elsewhere_is_skipped_and_fires_on_the_next_run(
    sla, department, agent, mailoutbox
):
    notify_level(sla, [agent])
    locked, free = make_ticket(sla, department), make_ticket(sla, department)
    held, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(Ticket.objects.select_for_update().filter(pk=locked.pk))
                held.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert held.wait(10)
        assert escalations.run(now=NOON) == 1  # does not wait for the locked ticket
    finally:
        release.set()
        holder.join()
    assert list(EscalationFiring.objects.values_list("ticket", flat=True)) == [free.pk]
    assert escalations.run(now=NOON) == 1
    assert escalations.run(now=NOON) == 0
    run_queued_tasks()
    assert sorted(_ticket_number(m.subject) for m in mailoutbox) == sorted([locked.pk, free.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_fire_each_level_once(sla, department, agent, mailoutbox, monkeypatch):
    monkeypatch.setattr(escalations, "CHUNK", 3)
    other = f.AgentFactory(username="other", departments=[department])
    notify_level(sla, [agent])
    EscalationLevel.objects.create(
        sla=sla, level=2, target="response", action="reassign", reassign_to=other
    )
    tickets = [make_ticket(sla, department, assignee=agent) for _ in range(12)]
    fired = []

    def work():
        fired.append(escalations.run(now=NOON))

    assert run_together(work, work) == []
    assert sum(fired) == 2 * len(tickets)
    run_queued_tasks()
    assert len(mailoutbox) == len(tickets)
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.assignee == other
        assert ticket.history.filter(history_type="~").count() == 1
    assert EscalationFiring.objects.count() == 2 * len(tickets)


# -- sweeps: a run reads what came since the last one ---------------------------------------------


def test_a_due_time_an_edit_moves_into_the_past_fires_on_the_next_run(
    sla, department, agent, django_capture_on_commit_callbacks, mailoutbox
):
    notify_level(sla, [agent])
    # Low priority, created an hour before noon: its response is due at 19:00.
    ticket = make_ticket(
        sla, department, priority=Priority.LOW, response_due_at=NOON + datetime.timedelta(hours=7)
    )
    assert escalations.run(now=NOON) == 0
    # Urgent: due 30 minutes after it was created, long before the level's last sweep.
    ticket_update(by=agent, ticket=ticket, priority=Priority.URGENT)
    ticket.refresh_from_db()
    assert ticket.response_due_at == NOON - datetime.timedelta(minutes=30)
    with then_the_workers():
        assert escalations.run(now=NOON + datetime.timedelta(minutes=1)) == 1
    assert [m.to[0] for m in mailoutbox] == [agent.email]


def test_a_ticket_held_while_the_last_run_swept_fires_on_a_later_run(sla, department, agent):
    level = notify_level(sla, [agent])
    ticket = make_ticket(sla, department)  # response due 11:50
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=NOON - datetime.timedelta(days=1))
    # A run at 11:55 that could not lock it (an agent's edit held it) swept the level anyway.
    EscalationLevel.objects.filter(pk=level.pk).update(
        swept_until=NOON - datetime.timedelta(minutes=5)
    )
    assert escalations.run(now=NOON) == 1


def test_tickets_written_since_the_sweep_are_read_only_with_a_level_left_to_fire(
    sla, department, agent
):
    """A busy desk writes many running tickets a minute: those with no level due and unfired
    are not candidates (not locked, not read whole)."""
    notify_level(sla, [agent])
    make_ticket(sla, department)  # response due 11:50
    assert escalations.run(now=NOON) == 1  # fires, and writes the ticket
    make_ticket(sla, department, response_due_at=NOON + datetime.timedelta(hours=2))  # not due
    due = make_ticket(sla, department)
    EscalationLevel.objects.update(swept_until=NOON)
    Ticket.objects.update(updated_at=NOON)  # all three written since the sweep
    later = NOON + datetime.timedelta(minutes=1)
    ids = set(escalations.candidates(later, escalations._levels()).values_list("pk", flat=True))
    assert ids == {due.pk}


def test_a_swept_level_reads_only_since_its_sweep_until_its_offset_changes(
    sla, department, agent, administrator
):
    level = notify_level(sla, [agent])
    long_overdue = make_ticket(sla, department, response_due_at=NOON - datetime.timedelta(days=2))
    Ticket.objects.filter(pk=long_overdue.pk).update(updated_at=NOON - datetime.timedelta(days=2))
    EscalationLevel.objects.filter(pk=level.pk).update(
        swept_until=NOON - datetime.timedelta(hours=1)
    )
    assert escalations.run(now=NOON) == 0  # its time came before the sweep: not read again
    level.refresh_from_db()
    assert level.swept_until == NOON

    # The administrator moves the level to 15 minutes after the breach: it fires for every
    # ticket past that, however long ago.
    sla_update(
        by=administrator,
        sla=sla,
        department=department,
        name=sla.name,
        business_hours=sla.business_hours,
        time_zone=sla.time_zone,
        targets={t.priority: (t.response_minutes, t.resolution_minutes) for t in sla.targets.all()},
        levels=[
            LevelInput(target="response", offset_minutes=15, action="notify", notify_users=[agent])
        ],
    )
    level.refresh_from_db()
    assert level.swept_until is None
    assert escalations.run(now=NOON) == 1
    assert EscalationFiring.objects.get().ticket == long_overdue


def test_a_run_does_not_mark_swept_a_level_changed_while_it_ran(sla, department, agent):
    level = notify_level(sla, [agent])
    levels = escalations._levels()
    EscalationLevel.objects.filter(pk=level.pk).update(offset_minutes=15)  # changed meanwhile
    escalations._swept(levels, NOON)
    level.refresh_from_db()
    assert level.swept_until is None
    escalations._swept(escalations._levels(), NOON)
    level.refresh_from_db()
    assert level.swept_until == NOON
    escalations._swept(escalations._levels(), NOON - datetime.timedelta(minutes=1))
    level.refresh_from_db()
    assert level.swept_until == NOON  # an earlier run never moves it back
