"""Each single-row rule is a database constraint: the database itself rejects a violating row."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from contracts.models import Contract, CreditEntry
from plans.models import SupportPlan
from sla.models import SLATarget
from tests import factories as f

pytestmark = pytest.mark.django_db


def rejected(model, **values):
    """Insert a row with QuerySet.create, bypassing model validation; True if the DB refuses."""
    try:
        with transaction.atomic():
            model.objects.create(**values)
    except IntegrityError:
        return True
    return False


@pytest.fixture
def sla():
    return f.SLAFactory()


def plan_values(sla, **overrides):
    return {"department": sla.department, "name": "P", "sla": sla, **overrides}


@pytest.mark.parametrize(
    "terms",
    [
        {"plan_type": "ticket_based", "credit_cycle": "", "credit_limit": 5},
        {"plan_type": "ticket_based", "credit_cycle": "monthly", "credit_limit": None},
        {"plan_type": "ticket_based", "credit_cycle": "monthly", "credit_limit": 0},
        {"plan_type": "ticket_based", "credit_cycle": "daily", "credit_limit": 5},
        {"plan_type": "unlimited", "credit_cycle": "monthly", "credit_limit": None},
        {"plan_type": "unlimited", "credit_cycle": "", "credit_limit": 5},
        {"plan_type": "other", "credit_cycle": "", "credit_limit": None},
    ],
)
def test_database_rejects_plan_terms_that_do_not_match_its_type(sla, terms):
    assert rejected(SupportPlan, **plan_values(sla, **terms))


@pytest.mark.parametrize(
    "terms",
    [
        {"plan_type": "ticket_based", "credit_cycle": "monthly", "credit_limit": 20},
        {"plan_type": "unlimited", "credit_cycle": "", "credit_limit": None},
    ],
)
def test_database_accepts_well_formed_plans(sla, terms):
    assert not rejected(SupportPlan, **plan_values(sla, **terms))


def test_database_rejects_contract_ending_before_it_starts():
    contract = f.ContractFactory.build()
    contract.support_plan = f.SupportPlanFactory()
    contract.owner = f.UserFactory()
    contract.account = f.AccountFactory()
    contract.end_date = contract.start_date - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        contract.save()


def test_database_rejects_duplicate_contract_number():
    f.ContractFactory(contract_number="C-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ContractFactory(contract_number="C-1")


def test_database_rejects_negative_notice_period():
    contract = f.ContractFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(notify_days_before=-1)


def test_plan_in_use_cannot_be_deleted():
    contract = f.ContractFactory()
    with pytest.raises(ProtectedError):
        contract.support_plan.delete()


def test_sla_in_use_by_a_plan_cannot_be_deleted():
    plan = f.SupportPlanFactory()
    with pytest.raises(ProtectedError):
        plan.sla.delete()


def test_database_rejects_response_target_after_resolution(sla):
    assert rejected(
        SLATarget,
        sla=f.SLAFactory(targets={}),
        priority="high",
        response_minutes=120,
        resolution_minutes=60,
    )


def test_database_rejects_zero_response_target():
    assert rejected(
        SLATarget,
        sla=f.SLAFactory(targets={}),
        priority="high",
        response_minutes=0,
        resolution_minutes=60,
    )


def test_database_rejects_second_target_for_one_priority(sla):
    assert rejected(SLATarget, sla=sla, priority="high", response_minutes=10, resolution_minutes=60)


class TestLedgerShape:
    @pytest.fixture
    def contract(self):
        return f.ContractFactory()

    @pytest.fixture
    def ticket(self, contract):
        return f.TicketFactory(contract=contract, account=contract.account)

    def test_spend_is_minus_one_on_an_even_sequence(self, contract, ticket):
        assert rejected(
            CreditEntry, contract=contract, ticket=ticket, ticket_seq=0, kind="spend", delta=-2
        )
        assert rejected(
            CreditEntry, contract=contract, ticket=ticket, ticket_seq=1, kind="spend", delta=-1
        )
        assert not rejected(
            CreditEntry, contract=contract, ticket=ticket, ticket_seq=0, kind="spend", delta=-1
        )

    def test_a_ticket_cannot_hold_two_spends_at_one_step(self, contract, ticket):
        CreditEntry.objects.create(
            contract=contract, ticket=ticket, ticket_seq=0, kind="spend", delta=-1
        )
        assert rejected(
            CreditEntry, contract=contract, ticket=ticket, ticket_seq=0, kind="spend", delta=-1
        )

    def test_refund_is_plus_one_on_an_odd_sequence(self, contract, ticket):
        assert rejected(
            CreditEntry, contract=contract, ticket=ticket, ticket_seq=2, kind="refund", delta=1
        )

    def test_adjustment_needs_a_reason_and_no_ticket(self, contract, ticket):
        assert rejected(CreditEntry, contract=contract, kind="adjustment", delta=2, reason="")
        assert rejected(CreditEntry, contract=contract, kind="adjustment", delta=0, reason="x")
        assert rejected(
            CreditEntry, contract=contract, ticket=ticket, kind="adjustment", delta=2, reason="x"
        )

    def test_ledger_rows_are_append_only(self, contract):
        entry = CreditEntry.objects.create(
            contract=contract, kind="adjustment", delta=1, reason="goodwill"
        )
        entry.reason = "changed"
        with pytest.raises(Exception, match="never changed"):
            entry.save()
        with pytest.raises(Exception, match="never changed"):
            entry.delete()


def test_database_rejects_unknown_ticket_status():
    ticket = f.TicketFactory()
    from tickets.models import Ticket

    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(status="lost")
