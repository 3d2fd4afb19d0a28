"""The conversation on every ticket (issue 17, SPEC section 9) and a customer's new ticket.

- ``tickets.conversation.reply_add``: who may reply (staff in the ticket's department, a customer
  on a ticket of theirs), the first response, a customer's reply reopening the ticket (and its
  credit refunded), a closed ticket, the history row, the emails to the other side;
- ``tickets.services.ticket_raise``: a customer's ticket follows its contract as an agent's does;
- the agent's ticket page: the conversation, its form, its walls and its query count;
- the back office: the replies read-only.
"""

import datetime
import zoneinfo

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts import credits
from contracts.models import CreditEntry
from desk.choices import Status
from desk.models import OutgoingEmail, Preferences
from tests import factories as f
from tests.conftest import opened_form, run_queued_tasks, signed_in, then_the_workers
from tickets.conversation import (
    CUSTOMER_NOTE_REFUSED,
    REPLY_EMPTY,
    TICKET_CLOSED,
    TICKET_CLOSED_FOR_AGENTS,
    reply_add,
)
from tickets.models import Reply, Ticket
from tickets.services import (
    CONTRACT_NOT_OFFERED_TO_CUSTOMER,
    NOT_A_CUSTOMER,
    SUBJECT_EMPTY,
    TEXT_MAX,
    ticket_raise,
    ticket_update,
)

pytestmark = pytest.mark.django_db

DESK = "https://desk.example.com"


@pytest.fixture(autouse=True)
def _desk_url(settings):
    settings.DESK_URL = DESK + "/"


def customer(contact, *, account_admin=False, active=True):
    """``contact`` signed up to the help centre: a user with no permission, not staff."""
    user = f.UserFactory(
        username=f"customer{contact.pk}",
        email=contact.email,
        first_name=contact.first_name,
        last_name=contact.last_name,
        is_active=active,
    )
    contact.user = user
    contact.is_account_admin = account_admin
    contact.invited_at = timezone.now()
    contact.save()
    return user


@pytest.fixture
def contact(account):
    return f.ContactFactory(
        account=account, first_name="Mei", last_name="Lin", email="mei@amber.example"
    )


@pytest.fixture
def mei(contact):
    return customer(contact)


@pytest.fixture
def ticket(open_ticket, contract, contact, agent):
    """Mei's ticket under the ticket-based contract (3 credits a month), assigned to the agent."""
    return open_ticket(contact=contact, contract=contract)


def assigned(ticket, to):
    return ticket_update(by=f.desk_admin(), ticket=ticket, assignee=to)


def reason_of_last_change(ticket):
    return ticket.history.order_by("-history_date", "-history_id").first().history_change_reason


def fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


# --- the first response ------------------------------------------------------------------------


def test_the_first_public_reply_of_an_agent_is_the_first_response(ticket, agent, clock_at):
    clock_at(datetime.datetime(2026, 3, 9, 9, 0, tzinfo=datetime.UTC))
    reply_add(by=agent, ticket=ticket, body="Checking the logs.", public=False)
    assert fresh(ticket).first_responded_at is None  # a private note is no response

    first = clock_at(datetime.datetime(2026, 3, 9, 9, 20, tzinfo=datetime.UTC))
    reply = reply_add(by=agent, ticket=ticket, body="We are on it.")
    assert reply.is_public and not reply.from_customer and reply.author == agent
    assert fresh(ticket).first_responded_at == first

    clock_at(datetime.datetime(2026, 3, 9, 10, 0, tzinfo=datetime.UTC))
    reply_add(by=agent, ticket=ticket, body="Fixed, please check.")
    assert fresh(ticket).first_responded_at == first  # the first one stays


def test_a_status_change_is_no_response(ticket, agent):
    """Before issue 17 any status change away from Open counted as the first response."""
    ticket = ticket_update(by=agent, ticket=ticket, status=Status.IN_PROGRESS)
    assert ticket.first_responded_at is None
    ticket = ticket_update(by=agent, ticket=ticket, status=Status.RESOLVED)
    # Resolved unanswered: the clock stops (the ticket is resolved), the response stays unmet.
    assert ticket.first_responded_at is None and ticket.resolved_at is not None


def test_a_customers_reply_is_no_first_response(ticket, mei):
    reply_add(by=mei, ticket=ticket, body="Any news?")
    assert fresh(ticket).first_responded_at is None


@pytest.fixture
def clock_at(monkeypatch):
    def set_now(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment

    return set_now


# --- the customer's reply moves the ticket ------------------------------------------------------


def test_a_customers_reply_on_a_ticket_waiting_on_them_sets_it_open(ticket, agent, mei):
    ticket_update(by=agent, ticket=ticket, status=Status.WAITING_ON_CUSTOMER)
    assert fresh(ticket).on_hold_since is not None
    reply_add(by=mei, ticket=ticket, body="Here is the log you asked for.")
    ticket = fresh(ticket)
    assert ticket.status == Status.OPEN
    assert ticket.on_hold_since is None  # the SLA clock runs again


@pytest.mark.parametrize("status", [Status.OPEN, Status.IN_PROGRESS, Status.ON_HOLD])
def test_a_customers_reply_leaves_other_statuses_alone(ticket, agent, mei, status):
    ticket_update(by=agent, ticket=ticket, status=status)
    reply_add(by=mei, ticket=ticket, body="Any news?")
    assert fresh(ticket).status == status


def test_a_customers_reply_reopens_a_resolved_ticket_and_refunds_its_credit(
    ticket, contract, agent, mei
):
    ticket_update(by=agent, ticket=ticket, status=Status.RESOLVED)
    assert credits.summary_for(contract).left == 2

    reply_add(by=mei, ticket=ticket, body="It broke again this morning.")

    ticket = fresh(ticket)
    assert ticket.status == Status.OPEN and ticket.resolved_at is None
    ledger = CreditEntry.objects.filter(ticket=ticket).order_by("ticket_seq")
    assert [(e.kind, e.delta, e.created_by) for e in ledger] == [
        ("spend", -1, agent),
        ("refund", 1, mei),  # the ledger names the customer, as the history does
    ]
    assert credits.summary_for(contract).left == 3
    record = ticket.history.order_by("-history_date", "-history_id").first()
    assert record.history_user == mei and record.history_change_reason == "The customer replied"
    # Resolved again, it spends again: one credit held at most.
    ticket_update(by=agent, ticket=ticket, status=Status.RESOLVED)
    assert credits.summary_for(contract).left == 2
    assert credits.holds_credit(ticket)


def test_a_closed_ticket_takes_no_reply_from_the_customer(ticket, agent, mei):
    ticket_update(by=agent, ticket=ticket, status=Status.CLOSED)
    rows = ticket.history.count()
    with pytest.raises(ValidationError) as refused:
        reply_add(by=mei, ticket=ticket, body="Still broken.")
    assert refused.value.messages == [str(TICKET_CLOSED)]
    assert str(TICKET_CLOSED) == "This ticket is closed: raise a new ticket."
    assert not Reply.objects.exists() and not OutgoingEmail.objects.exists()
    assert fresh(ticket).status == Status.CLOSED and ticket.history.count() == rows


def test_an_agent_reopens_a_closed_ticket_to_reply_but_may_add_a_note(ticket, agent, contract):
    ticket_update(by=agent, ticket=ticket, status=Status.CLOSED)
    with pytest.raises(ValidationError) as refused:
        reply_add(by=agent, ticket=ticket, body="One more thing.")
    assert refused.value.messages == [str(TICKET_CLOSED_FOR_AGENTS)]
    reply_add(by=agent, ticket=ticket, body="Customer phoned, all fine.", public=False)
    reply_add(by=agent, ticket=ticket, body="Reopening: one more thing.", status=Status.OPEN)
    assert fresh(ticket).status == Status.OPEN
    assert not credits.holds_credit(ticket)  # reopened: refunded
    assert credits.summary_for(contract).left == 3


def test_an_agents_reply_may_set_the_status_in_one_change(ticket, agent, contract):
    rows = ticket.history.count()
    reply_add(by=agent, ticket=ticket, body="Fixed: a new cable.", status=Status.RESOLVED)
    ticket = fresh(ticket)
    assert ticket.status == Status.RESOLVED and ticket.first_responded_at is not None
    assert ticket.history.count() == rows + 1  # one history row for the reply and the status
    assert reason_of_last_change(ticket) == "Replied to the customer"
    assert CreditEntry.objects.get(ticket=ticket).created_by == agent
    with pytest.raises(ValidationError) as refused:
        reply_add(by=agent, ticket=ticket, body="x", status="finished")
    assert "status" in refused.value.message_dict


# --- who may reply ------------------------------------------------------------------------------


def test_an_agent_of_another_department_is_refused(ticket, other_department):
    outsider = f.AgentFactory(username="outsider", departments=[other_department])
    with pytest.raises(PermissionDenied):
        reply_add(by=outsider, ticket=ticket, body="Hello")
    assert not Reply.objects.exists()


def test_staff_without_the_change_permission_are_refused(ticket, department):
    viewer = f.UserFactory(username="viewer", departments=[department])
    viewer.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    with pytest.raises(PermissionDenied):
        reply_add(by=viewer, ticket=ticket, body="Hello", public=False)


def test_a_customer_of_another_account_is_refused_as_if_the_ticket_did_not_exist(ticket):
    stranger = customer(f.ContactFactory(account=f.AccountFactory(name="Other Co")))
    with pytest.raises(Http404):
        reply_add(by=stranger, ticket=ticket, body="Hello")
    assert not Reply.objects.exists()


def test_a_contact_replies_on_their_own_tickets_only_unless_account_admin(ticket, account):
    colleague = f.ContactFactory(account=account, email="li@amber.example")
    with pytest.raises(Http404):
        reply_add(by=customer(colleague), ticket=ticket, body="Me too")
    boss = customer(f.ContactFactory(account=account), account_admin=True)
    assert reply_add(by=boss, ticket=ticket, body="Please hurry.").from_customer


def test_a_revoked_customer_is_refused(ticket, contact):
    revoked = customer(contact, active=False)
    with pytest.raises(PermissionDenied):
        reply_add(by=revoked, ticket=ticket, body="Hello")


def test_a_customer_writes_public_replies_only(ticket, mei):
    with pytest.raises(PermissionDenied) as refused:
        reply_add(by=mei, ticket=ticket, body="Secret", public=False)
    assert str(refused.value) == str(CUSTOMER_NOTE_REFUSED)
    with pytest.raises(PermissionDenied):
        reply_add(by=mei, ticket=ticket, body="Close it", status=Status.CLOSED)
    assert not Reply.objects.exists()


@pytest.mark.parametrize("body", ["", "   \n\t "])
def test_an_empty_text_is_refused(ticket, agent, body):
    with pytest.raises(ValidationError) as refused:
        reply_add(by=agent, ticket=ticket, body=body)
    assert refused.value.message_dict == {"body": [str(REPLY_EMPTY)]}


def test_a_text_over_twenty_thousand_characters_is_refused(ticket, agent, mei):
    with pytest.raises(ValidationError) as refused:
        reply_add(by=mei, ticket=ticket, body="x" * (TEXT_MAX + 1))
    assert refused.value.message_dict == {
        "body": ["Write at most 20000 characters (this text has 20001)."]
    }
    assert len(reply_add(by=agent, ticket=ticket, body="y" * TEXT_MAX).body) == TEXT_MAX


def test_a_refused_reply_saves_nothing_and_queues_no_email(ticket, agent, mei):
    ticket_update(by=agent, ticket=ticket, status=Status.RESOLVED)
    before = (fresh(ticket).status, ticket.history.count(), CreditEntry.objects.count())

    class Later(Exception):
        pass

    # Refused by the service…
    with pytest.raises(ValidationError):
        reply_add(by=mei, ticket=ticket, body="x" * (TEXT_MAX + 1))
    # …or rolled back by the caller after it was accepted: its email goes with it.
    with pytest.raises(Later), transaction.atomic():
        reply_add(by=mei, ticket=ticket, body="It broke again.")
        assert OutgoingEmail.objects.exists()
        raise Later
    assert not Reply.objects.exists() and not OutgoingEmail.objects.exists()
    assert (fresh(ticket).status, ticket.history.count(), CreditEntry.objects.count()) == before
    assert run_queued_tasks() == 0


# --- history ------------------------------------------------------------------------------------


def test_each_reply_says_what_happened_in_the_history(ticket, agent, mei, agent_client):
    reply_add(by=agent, ticket=ticket, body="Please send the log.", status="waiting_on_customer")
    reply_add(by=agent, ticket=ticket, body="The customer is VIP-42 internally.", public=False)
    reply_add(by=mei, ticket=ticket, body="Log attached.")
    reasons = list(
        ticket.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", flat=True
        )
    )
    assert reasons[-3:] == [
        "Replied to the customer",
        "Added a private note",
        "The customer replied",
    ]
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    history = html[html.index("table table-sm history") :]
    for reason in ("Replied to the customer", "Added a private note", "The customer replied"):
        assert f'<div class="history-reason">{reason}</div>' in history
    assert "Status: Open → Waiting on customer" in history
    assert "Status: Waiting on customer → Open" in history
    # The history says that a note was added, never what it says.
    assert "VIP-42" not in history


def test_the_history_shows_each_reply_reason_in_the_readers_language():
    from desk.history import TRANSLATED_REASONS
    from tickets.conversation import CUSTOMER_REPLIED, NOTE_ADDED, REPLIED

    assert set(TRANSLATED_REASONS) == {REPLIED, NOTE_ADDED, CUSTOMER_REPLIED}
    assert all(str(shown) == stored for stored, shown in TRANSLATED_REASONS.items())


# --- emails -------------------------------------------------------------------------------------


def test_an_agents_reply_emails_the_contact_with_a_link_to_the_help_centre(
    ticket, agent, mei, mailoutbox
):
    with then_the_workers():
        reply_add(by=agent, ticket=ticket, body="Please restart the printer.")
    (message,) = mailoutbox
    assert message.to == ["mei@amber.example"]
    assert message.subject == f"Re: [#{ticket.pk}] Printer offline"
    assert "Please restart the printer." in message.body
    assert agent.get_full_name() in message.body
    assert f"{DESK}/help/tickets/{ticket.pk}/" in message.body
    assert f"{DESK}/tickets/{ticket.pk}/" not in message.body  # no staff page for a customer


def test_the_customer_reads_it_in_their_language_and_time_zone(ticket, agent, mei, mailoutbox):
    Preferences.objects.create(user=mei, language="zh-hans", time_zone="Asia/Shanghai")
    ticket_update(by=agent, ticket=ticket, status=Status.WAITING_ON_CUSTOMER)
    with then_the_workers():
        reply = reply_add(by=agent, ticket=ticket, body="请重启打印机。")
    (message,) = mailoutbox
    shanghai = timezone.localtime(reply.created_at, zoneinfo.ZoneInfo("Asia/Shanghai"))
    assert f"{shanghai.year}年{shanghai.month}月{shanghai.day}日 {shanghai:%H:%M}" in message.body
    assert "等待客户回复" in message.body  # the status, "Waiting on customer"
    assert "请重启打印机。" in message.body


def test_a_contact_without_a_sign_in_gets_the_desks_defaults_and_no_link(
    ticket, agent, contact, mailoutbox, settings
):
    settings.TIME_ZONE = "UTC"
    with then_the_workers():
        reply_add(by=agent, ticket=ticket, body="Please restart the printer.")
    (message,) = mailoutbox
    assert message.to == ["mei@amber.example"]
    assert "/help/" not in message.body  # the contact cannot sign in there
    assert "Please restart the printer." in message.body


def test_no_email_without_a_contact_address(open_ticket, contract, agent, account):
    silent = f.ContactFactory(account=account, email="")
    reply_add(by=agent, ticket=open_ticket(contact=silent), body="Hello")
    reply_add(by=agent, ticket=open_ticket(), body="Hello")  # no contact at all
    assert not OutgoingEmail.objects.exists()


def test_a_private_note_emails_nobody(ticket, agent, mei, mailoutbox):
    assigned(ticket, agent)
    with then_the_workers():
        reply_add(by=agent, ticket=ticket, body="Customer is on the old firmware.", public=False)
    assert mailoutbox == [] and not OutgoingEmail.objects.exists()
    with then_the_workers():
        reply_add(by=agent, ticket=ticket, body="Please update the firmware.")
    assert all("old firmware" not in m.body for m in mailoutbox)


def test_a_customers_reply_emails_the_assignee_in_their_language(
    ticket, agent, mei, mailoutbox, department
):
    f.AgentFactory(username="colleague", departments=[department])  # not told: not assigned
    Preferences.objects.create(user=agent, language="zh-hans", time_zone="Asia/Shanghai")
    ticket_update(by=agent, ticket=ticket, status=Status.RESOLVED, assignee=agent)
    with then_the_workers():
        reply_add(by=mei, ticket=ticket, body="It broke again.")
    (message,) = mailoutbox
    assert message.to == [agent.email]
    assert message.subject == f"Re: [#{ticket.pk}] Printer offline"
    assert "It broke again." in message.body and "Amber Motors" in message.body
    assert f"{DESK}/tickets/{ticket.pk}/" in message.body
    assert "年" in message.body  # the time written the Chinese way


def test_a_customers_reply_on_an_unassigned_ticket_emails_the_departments_agents(
    ticket, agent, administrator, mei, mailoutbox, department, other_department
):
    colleague = f.AgentFactory(username="colleague", departments=[department])
    f.AgentFactory(username="gone", departments=[department], is_active=False)
    f.UserFactory(username="no-tickets", departments=[department])  # may not answer
    f.AgentFactory(username="elsewhere", departments=[other_department])
    with then_the_workers():
        reply_add(by=mei, ticket=ticket, body="Anyone there?")
    # The department's active members who may answer (the administrator owns the contract).
    told = [agent.email, administrator.email, colleague.email]
    assert sorted(m.to[0] for m in mailoutbox) == sorted(told)


def test_emails_are_queued_with_the_reply(ticket, agent, mei):
    reply_add(by=agent, ticket=ticket, body="On it.")
    assert OutgoingEmail.objects.get().to == "mei@amber.example"
    assert run_queued_tasks() == 1


# --- a customer raises a ticket -----------------------------------------------------------------


def test_a_customers_ticket_follows_its_contract_and_spends_a_credit_when_resolved(
    contract, mei, contact, agent, department
):
    ticket = ticket_raise(by=mei, subject="  Printer offline ", description="Since Monday.")
    assert ticket.contact == contact and ticket.account == contact.account
    assert ticket.contract == contract and ticket.department == department
    assert ticket.sla == contract.support_plan.sla and ticket.sla_exemption == ""
    assert ticket.created_by == mei and ticket.subject == "Printer offline"
    assert ticket.response_due_at is not None
    assert ticket.history.get().history_user == mei
    ticket_update(by=agent, ticket=ticket, status=Status.RESOLVED)
    assert credits.summary_for(contract).left == 2


def test_a_customers_ticket_follows_the_same_rules_as_an_agents(
    contract, mei, contact, agent, open_ticket
):
    """At zero balance both follow the department's default SLA (here: none), for the same
    reason."""
    for _ in range(3):
        ticket_update(by=agent, ticket=open_ticket(), status=Status.RESOLVED)
    raised, opened = ticket_raise(by=mei, subject="Jam"), open_ticket(contact=contact)
    assert (raised.contract, raised.sla, raised.sla_exemption) == (
        opened.contract,
        opened.sla,
        opened.sla_exemption,
    )
    assert raised.sla_exemption == Ticket.SlaExemption.CREDITS_USED_UP


def test_the_product_chooses_among_contracts_of_several_departments(
    contract, mei, other_department
):
    scanners = f.ContractFactory(
        account=contract.account,
        product_name="Scanner",
        support_plan=f.SupportPlanFactory(department=other_department),
    )
    ticket = ticket_raise(by=mei, subject="Scanner jams", product_name="scanner")
    assert ticket.contract == scanners and ticket.department == other_department
    ticket = ticket_raise(by=mei, subject="Printer", contract=contract)
    assert ticket.contract == contract and ticket.department == contract.support_plan.department


def test_without_a_contract_the_help_centre_department_takes_it(mei, settings, caplog):
    front_desk = f.DepartmentFactory(name="Front desk")
    hardware = f.DepartmentFactory(name="Hardware")
    settings.HELP_CENTRE_DEPARTMENT = "Hardware"
    ticket = ticket_raise(by=mei, subject="Question")
    assert ticket.department == hardware and ticket.contract is None and ticket.sla is None
    settings.HELP_CENTRE_DEPARTMENT = ""
    assert ticket_raise(by=mei, subject="Again").department == front_desk  # the oldest
    settings.HELP_CENTRE_DEPARTMENT = "Helpdesk (renamed)"
    assert ticket_raise(by=mei, subject="Once more").department == front_desk
    assert "HELP_CENTRE_DEPARTMENT names no department" in caplog.text


def test_several_contracts_and_no_product_go_to_the_help_centre_department(
    contract, mei, other_department, settings
):
    f.ContractFactory(
        account=contract.account, support_plan=f.SupportPlanFactory(department=other_department)
    )
    settings.HELP_CENTRE_DEPARTMENT = contract.support_plan.department.name
    # As an agent's ticket in that department: its only contract there.
    assert ticket_raise(by=mei, subject="Which one?").contract == contract


def test_another_accounts_contract_is_refused_as_missing(contract, mei):
    theirs = f.ContractFactory(support_plan=contract.support_plan)
    with pytest.raises(Http404):
        ticket_raise(by=mei, subject="Sneaky", contract=theirs)
    assert not Ticket.objects.exists()


def test_an_ended_contract_of_ones_own_is_refused_with_a_message(contract, mei):
    ended = f.ContractFactory(
        account=contract.account,
        support_plan=contract.support_plan,
        start_date=datetime.date(2020, 1, 1),
        end_date=datetime.date(2020, 12, 31),
    )
    with pytest.raises(ValidationError) as refused:
        ticket_raise(by=mei, subject="Old", contract=ended)
    assert refused.value.message_dict == {"contract": [str(CONTRACT_NOT_OFFERED_TO_CUSTOMER)]}


def test_only_a_customer_raises_tickets_here(agent, contract, mei):
    with pytest.raises(PermissionDenied) as refused:
        ticket_raise(by=agent, subject="Not a customer")
    assert str(refused.value) == str(NOT_A_CUSTOMER)
    with pytest.raises(ValidationError) as refused:
        ticket_raise(by=mei, subject="   ")
    assert refused.value.message_dict == {"subject": [str(SUBJECT_EMPTY)]}
    with pytest.raises(ValidationError) as refused:
        ticket_raise(by=mei, subject="Long", description="x" * (TEXT_MAX + 1))
    assert "description" in refused.value.message_dict
    assert not Ticket.objects.exists()


# --- the agent's ticket page ------------------------------------------------------------------


def reply_url(ticket):
    return reverse("tickets:reply_add", args=[ticket.pk])


def test_the_page_shows_the_conversation_oldest_first_with_private_notes_marked(
    ticket, agent, mei, agent_client
):
    reply_add(by=agent, ticket=ticket, body="First answer <b>bold</b>")
    reply_add(by=agent, ticket=ticket, body="Internal: check the VIP list", public=False)
    reply_add(by=mei, ticket=ticket, body="Thanks!")
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    section = html[html.index('id="conversation"') : html.index('id="reply-form"')]
    assert section.index("First answer") < section.index("Internal") < section.index("Thanks!")
    assert "First answer &lt;b&gt;bold&lt;/b&gt;" in section  # escaped, never markup
    assert section.count("Private note</span>") == 1 and "private-note" in section
    assert "Mei Lin" in section and ">Customer</span>" in section
    assert agent.get_full_name() in section
    for reply in Reply.objects.all():
        assert f'<time datetime="{reply.created_at.isoformat()}"' in section


def test_an_agent_replies_and_adds_a_note_from_the_page(ticket, agent, agent_client, mei):
    response = agent_client.post(
        reply_url(ticket), {"reply-body": "Please restart it.", "reply-send": "reply"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{ticket.pk}/#conversation"
    response = agent_client.post(
        reply_url(ticket),
        {"reply-body": "Called them.", "reply-send": "note", "reply-status": "on_hold"},
    )
    assert response.status_code == 302
    assert [(r.body, r.is_public) for r in Reply.objects.order_by("pk")] == [
        ("Please restart it.", True),
        ("Called them.", False),
    ]
    assert fresh(ticket).status == Status.ON_HOLD
    assert OutgoingEmail.objects.count() == 1


def test_a_refusal_shows_the_page_again_with_the_message_and_the_text(ticket, agent, agent_client):
    ticket_update(by=agent, ticket=ticket, status=Status.CLOSED)
    response = agent_client.post(
        reply_url(ticket), {"reply-body": "My long answer", "reply-send": "reply"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "alert-danger" in html and "This ticket is closed: reopen it" in html
    assert ">My long answer</textarea>" in html
    response = agent_client.post(reply_url(ticket), {"reply-body": " ", "reply-send": "note"})
    assert "Write something first" in response.content.decode()
    assert "is-invalid" in response.content.decode()
    response = agent_client.post(reply_url(ticket), {"reply-body": "x", "reply-send": "shout"})
    assert response.status_code == 200 and "alert-danger" in response.content.decode()
    assert not Reply.objects.exists()


def test_only_holders_of_the_change_permission_see_and_use_the_form(ticket, agent, department):
    viewer = f.UserFactory(username="viewer", departments=[department])
    viewer.user_permissions.add(Permission.objects.get(codename="view_ticket"))
    reply_add(by=agent, ticket=ticket, body="Visible to the viewer too.")
    client = signed_in(viewer)
    html = client.get(ticket.get_absolute_url()).content.decode()
    assert "Visible to the viewer too." in html and 'id="reply-form"' not in html
    assert client.post(reply_url(ticket), {"reply-body": "x"}).status_code == 403
    assert (
        signed_in(agent).get(ticket.get_absolute_url()).content.decode().count('id="reply-form"')
        == 1
    )


def test_another_departments_agent_gets_404_as_on_the_ticket_page(ticket, other_department):
    outsider = signed_in(f.AgentFactory(username="outsider", departments=[other_department]))
    assert outsider.get(ticket.get_absolute_url()).status_code == 404
    response = outsider.post(reply_url(ticket), {"reply-body": "x", "reply-send": "reply"})
    assert response.status_code == 404
    assert not Reply.objects.exists()


def test_the_reply_address_takes_posts_only(ticket, agent_client):
    assert agent_client.get(reply_url(ticket)).status_code == 405


def test_the_page_form_is_labelled_and_has_two_buttons(ticket, agent_client):
    html = agent_client.get(ticket.get_absolute_url()).content.decode()
    form = html[html.index('id="reply-form"') :]
    assert '<label for="id_reply-body"' in form and 'id="id_reply-body"' in form
    assert 'name="reply-send" value="reply"' in form and "Reply to the customer" in form
    assert 'name="reply-send" value="note"' in form and "Add a private note" in form
    section = html[html.index('id="conversation"') :]
    section = section[: section.index("</form>")]
    assert "<script" not in section and "style=" not in section  # the strict CSP


def test_the_page_reads_the_conversation_in_one_query(ticket, agent, agent_client):
    def count():
        agent_client.get(ticket.get_absolute_url())
        with CaptureQueriesContext(connection) as captured:
            assert agent_client.get(ticket.get_absolute_url()).status_code == 200
        return len(captured.captured_queries)

    for n in range(3):
        reply_add(by=f.AgentFactory(departments=[ticket.department]), ticket=ticket, body=f"{n}")
    with_3 = count()
    for n in range(27):
        reply_add(
            by=f.AgentFactory(departments=[ticket.department]),
            ticket=ticket,
            body=f"{n}",
            public=n % 2 == 0,
        )
    assert count() == with_3


# --- the back office --------------------------------------------------------------------------


def test_the_back_office_shows_replies_read_only(ticket, agent, back_office_client):
    reply_add(by=agent, ticket=ticket, body="Shown in the back office")
    reply_add(by=agent, ticket=ticket, body="A note, shown too", public=False)
    url = f"/admin/tickets/ticket/{ticket.pk}/change/"
    response = back_office_client.get(url)
    html = response.content.decode()
    assert "Shown in the back office" in html and "A note, shown too" in html
    (inline,) = response.context["inline_admin_formsets"]
    assert not inline.has_add_permission and not inline.has_change_permission
    assert not inline.has_delete_permission
    assert back_office_client.get("/admin/tickets/reply/").status_code == 404  # no page of its own
    # Saving the ticket with its inline as drawn changes no reply.
    form = {**opened_form(back_office_client, url), "subject": "Printer offline again"}
    form["replies-0-body"] = "Tampered"
    assert back_office_client.post(url, form).status_code == 302
    assert sorted(Reply.objects.values_list("body", flat=True)) == [
        "A note, shown too",
        "Shown in the back office",
    ]
    assert fresh(ticket).subject == "Printer offline again"


def test_the_back_office_add_form_has_no_conversation(back_office_client):
    response = back_office_client.get("/admin/tickets/ticket/add/")
    assert response.status_code == 200 and response.context["inline_admin_formsets"] == []
