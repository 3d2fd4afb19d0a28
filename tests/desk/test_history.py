"""Readable change history: people by name, values by label, times in the reader's zone, and
no rows for saves that changed nothing."""

import datetime

import pytest
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from desk.history import history_entries
from tests import factories as f
from tickets.services import ticket_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(department, agent):
    ticket = f.TicketFactory(department=department)
    ticket.assignee = agent
    ticket.save()
    return ticket


def entries(ticket):
    return history_entries(ticket.history, related=("assignee", "contract", "sla"))


def changes(entry) -> dict[str, tuple[str, str]]:
    return {change.label: (change.old, change.new) for change in entry.changes}


def test_unassigning_shows_nobody_not_a_deleted_user(admin_client, administrator, agent, ticket):
    ticket_update(by=administrator, ticket=ticket, assignee=None)
    assert changes(entries(ticket)[0])["assignee"] == (agent.get_full_name(), "—")

    page = admin_client.get(ticket.get_absolute_url()).content.decode()
    assert "Deleted user" not in page
    assert f"Assignee: {escape(agent.get_full_name())} → Unassigned" in page


def test_assigning_names_the_person_and_who_made_the_change(admin_client, administrator, agent):
    ticket = f.TicketFactory(department=agent.departments.get())
    ticket_update(by=administrator, ticket=ticket, assignee=agent)
    assert changes(entries(ticket)[0])["assignee"] == ("—", agent.get_full_name())

    page = admin_client.get(ticket.get_absolute_url()).content.decode()
    assert f"<td>{escape(administrator.get_full_name())}</td>" in page
    assert f"Assignee: Unassigned → {escape(agent.get_full_name())}" in page


def test_a_changed_time_is_shown_in_the_readers_zone(ticket):
    due = datetime.datetime(2026, 11, 27, 23, 53, 13, 260931, tzinfo=datetime.UTC)
    ticket.resolution_due_at = due
    ticket.save()
    with timezone.override("Asia/Shanghai"):
        old, new = changes(entries(ticket)[0])["resolution due"]
        assert new == date_format(timezone.localtime(due), "DATETIME_FORMAT")
    assert "+00:00" not in new and "2026" in new and "Nov" in new
    assert "28" in new  # the next day in Shanghai


def test_a_save_that_changed_nothing_is_left_out(ticket):
    ticket.save()  # only updated_at changes
    shown = entries(ticket)
    assert [entry.record.history_type for entry in shown] == ["~", "+"]
    assert changes(shown[0]) == {"assignee": ("—", ticket.assignee.get_full_name())}


def test_a_save_with_a_reason_is_kept_and_its_reason_shown(admin_client, ticket):
    ticket._change_reason = "Escalated: resolution due in 30 minutes"
    ticket.save()
    shown = entries(ticket)
    assert shown[0].record.history_change_reason == "Escalated: resolution due in 30 minutes"
    assert shown[0].changes == []
    page = admin_client.get(ticket.get_absolute_url()).content.decode()
    assert "Escalated: resolution due in 30 minutes" in page


def test_history_is_read_in_one_query(django_assert_num_queries, administrator, agent, ticket):
    ticket = ticket_update(by=administrator, ticket=ticket, assignee=None)
    ticket.save()  # changes nothing: left out
    with django_assert_num_queries(1):
        shown = entries(ticket)
        assert [e.who for e in shown] == [administrator.get_full_name(), "", ""]
