"""The credit ledger: spend on resolve, refund on reopen, balances, adjustments (SPEC section 4)."""

import datetime
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from contracts import credits
from contracts.models import CreditEntry
from tests import factories as f
from tests.conftest import opened_form
from tickets.models import Ticket
from tickets.services import ticket_update

pytestmark = pytest.mark.django_db


def left(contract):
    return credits.summary_for(contract).left


def resolve(ticket):
    return ticket_update(by=f.desk_admin(), ticket=ticket, status="resolved")


def reopen(ticket):
    return ticket_update(by=f.desk_admin(), ticket=ticket, status="open")


def test_resolving_spends_one_credit_in_the_current_cycle(contract, open_ticket):
    ticket = open_ticket()
    assert ticket.contract == contract
    resolve(ticket)
    entry = CreditEntry.objects.get(ticket=ticket)
    assert (entry.kind, entry.delta) == ("spend", -1)
    cycle = credits.cycle_for(contract)
    assert (entry.cycle_start, entry.cycle_end) == (cycle.start, cycle.end)
    assert left(contract) == 2


def test_three_resolved_leave_zero_then_a_new_ticket_follows_no_sla(contract, open_ticket):
    for _ in range(3):
        resolve(open_ticket())
    assert left(contract) == 0
    fourth = open_ticket()
    assert fourth.contract == contract
    assert fourth.sla is None
    assert fourth.sla_exemption == Ticket.SlaExemption.CREDITS_USED_UP
    assert fourth.response_due_at is None


def test_reopen_refunds_and_resolving_again_spends_again(contract, open_ticket):
    tickets = [open_ticket() for _ in range(3)]
    for ticket in tickets:
        resolve(ticket)
    reopen(tickets[0])
    assert left(contract) == 1
    resolve(tickets[0])
    assert left(contract) == 0
    kinds = list(
        CreditEntry.objects.filter(ticket=tickets[0])
        .order_by("ticket_seq")
        .values_list("kind", "ticket_seq")
    )
    assert kinds == [("spend", 0), ("refund", 1), ("spend", 2)]


def test_a_ticket_never_holds_two_credits(contract, open_ticket):
    ticket = resolve(open_ticket())
    ticket_update(by=f.desk_admin(), ticket=ticket, status="closed")  # still a resolved kind
    credits.sync_for_ticket(ticket=Ticket.objects.get(pk=ticket.pk), by=None)  # idempotent
    assert CreditEntry.objects.filter(ticket=ticket).count() == 1
    assert left(contract) == 2


def test_a_ticket_created_with_credits_used_up_spends_nothing(contract, open_ticket):
    for _ in range(3):
        resolve(open_ticket())
    extra = resolve(open_ticket())
    assert not CreditEntry.objects.filter(ticket=extra).exists()
    assert left(contract) == 0


def test_the_credit_belongs_to_the_cycle_of_the_resolution(contract, account, department):
    last_month = timezone.now() - datetime.timedelta(days=35)
    contract.start_date = timezone.localdate() - datetime.timedelta(days=60)
    contract.save()
    old = f.TicketFactory(
        account=account,
        department=department,
        contract=contract,
        status="resolved",
        resolved_at=last_month,
    )
    entry = CreditEntry.objects.get(ticket=old)
    assert entry.cycle_start == credits.cycle_for(contract, timezone.localdate(last_month)).start
    assert left(contract) == 3  # last cycle's credit does not count now
    reopen(old)
    refund = CreditEntry.objects.get(ticket=old, kind="refund")
    assert refund.cycle_start == entry.cycle_start  # refunded to the cycle it was spent in
    assert left(contract) == 3


def test_unlimited_plans_record_usage_without_a_balance(department, account, open_ticket):
    f.ContractFactory(account=account, support_plan__department=department)
    ticket = resolve(open_ticket())
    entry = CreditEntry.objects.get(ticket=ticket)
    assert entry.delta == -1 and entry.cycle_start is None
    assert credits.summary_for(ticket.contract) is None
    assert ticket.sla is not None


def test_a_ticket_without_a_contract_touches_no_ledger(department, account, open_ticket):
    ticket = resolve(open_ticket())
    assert ticket.contract is None and ticket.sla is None
    assert not CreditEntry.objects.exists()


class TestReceiver:
    def test_a_direct_model_save_spends(self, contract, open_ticket):
        ticket = Ticket.objects.get(pk=open_ticket().pk)
        ticket.status = "resolved"
        ticket.save()
        assert left(contract) == 2

    def test_a_save_without_status_change_writes_nothing(self, contract, open_ticket):
        ticket = resolve(open_ticket())
        ticket = Ticket.objects.get(pk=ticket.pk)
        ticket.subject = "Renamed"
        ticket.save()
        assert CreditEntry.objects.count() == 1

    def test_a_raw_save_from_fixtures_writes_nothing(self, contract, open_ticket, tmp_path):
        ticket = open_ticket()
        fixture = tmp_path / "ticket.json"
        fields = {
            "subject": "x",
            "account": ticket.account_id,
            "department": ticket.department_id,
            "contract": contract.pk,
            "status": "resolved",
            "priority": "low",
            "created_at": "2026-01-01T00:00:00Z",
            "updated_at": "2026-01-01T00:00:00Z",
        }
        fixture.write_text(
            json.dumps([{"model": "tickets.ticket", "pk": ticket.pk, "fields": fields}])
        )
        call_command("loaddata", str(fixture), verbosity=0)
        assert not CreditEntry.objects.exists()

    def test_the_admin_spends_and_refunds_with_the_acting_user(self, contract, open_ticket, client):
        staff = f.AdministratorFactory(username="backoffice", is_staff=True, is_superuser=True)
        client.force_login(staff)
        ticket = open_ticket()
        url = f"/admin/tickets/ticket/{ticket.pk}/change/"
        # The form as the back office draws it (with its read-only conversation inline's
        # management form), the status changed.
        form = {**opened_form(client, url), "status": "resolved"}
        response = client.post(url, form)
        assert response.status_code == 302, response.content.decode()[:2000]
        entry = CreditEntry.objects.get(ticket=ticket)
        assert entry.created_by == staff
        assert left(contract) == 2


class TestAdjustment:
    def test_adds_credits_to_the_current_cycle(self, contract, administrator):
        credits.adjust(by=administrator, contract=contract, delta=2, reason="Goodwill")
        assert left(contract) == 5
        credits.adjust(by=administrator, contract=contract, delta=-4, reason="Billing fix")
        assert left(contract) == 1

    @pytest.mark.parametrize(("delta", "reason", "field"), [(0, "x", "delta"), (1, "  ", "reason")])
    def test_refuses_zero_or_no_reason(self, contract, administrator, delta, reason, field):
        with pytest.raises(ValidationError) as error:
            credits.adjust(by=administrator, contract=contract, delta=delta, reason=reason)
        assert field in error.value.message_dict
        assert not CreditEntry.objects.exists()

    def test_refuses_an_unlimited_plan(self, administrator):
        contract = f.ContractFactory()
        with pytest.raises(ValidationError, match="ticket-based"):
            credits.adjust(by=administrator, contract=contract, delta=1, reason="x")
