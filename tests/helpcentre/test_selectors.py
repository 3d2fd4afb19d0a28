"""The help centre's reads: a contract's credits read for several contracts at once are the
ledger's own figures (``contracts.credits.summary_for``), and the usage selector's account limit."""

import datetime

import pytest
from django.utils import timezone

from contracts import credits
from contracts.models import CreditEntry
from contracts.selectors import Grouping, plan_credit_usage
from helpcentre import selectors
from tests import factories as f

pytestmark = pytest.mark.django_db


def spend(contract, when, *, seq=0, ticket=None):
    ticket = ticket or f.TicketFactory(account=contract.account)
    cycle = credits.cycle_for(contract, timezone.localdate(when))
    CreditEntry.objects.create(
        contract=contract,
        ticket=ticket,
        ticket_seq=seq,
        kind=CreditEntry.Kind.SPEND if seq % 2 == 0 else CreditEntry.Kind.REFUND,
        delta=-1 if seq % 2 == 0 else 1,
        cycle_start=cycle.start if cycle else None,
        cycle_end=cycle.end if cycle else None,
        created_at=when,
    )
    return ticket


def test_contract_credits_are_the_ledgers_summaries(department):
    today = timezone.localdate()
    now = timezone.now()
    account = f.AccountFactory()
    monthly = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=4)
    weekly = f.SupportPlanFactory(
        department=department,
        ticket_based=True,
        credit_cycle="weekly",
        credit_limit=2,
    )
    running = f.ContractFactory(
        account=account, support_plan=monthly, start_date=today - datetime.timedelta(days=75)
    )
    ending = f.ContractFactory(
        account=account,
        support_plan=weekly,
        start_date=today - datetime.timedelta(days=10),
        end_date=today + datetime.timedelta(days=2),
    )
    open_ended = f.ContractFactory(
        account=account,
        support_plan=f.SupportPlanFactory(department=department, ticket_based=True),
        start_date=today - datetime.timedelta(days=3),
        end_date=None,
    )
    unlimited = f.ContractFactory(account=account)
    upcoming = f.ContractFactory(
        account=account,
        support_plan=monthly,
        start_date=today + datetime.timedelta(days=5),
        end_date=today + datetime.timedelta(days=100),
    )
    for contract in (running, ending, open_ended):
        spend(contract, now)
        reopened = spend(contract, now - datetime.timedelta(minutes=5))
        spend(contract, now - datetime.timedelta(minutes=1), seq=1, ticket=reopened)
    spend(running, now - datetime.timedelta(days=40))  # an earlier cycle: not counted
    for _ in range(3):
        spend(running, now - datetime.timedelta(hours=1))  # over the limit with the rest
    credits.adjust(by=f.desk_admin(), contract=running, delta=-2, reason="Used by phone")
    credits.adjust(by=f.desk_admin(), contract=ending, delta=3, reason="Goodwill")

    contracts = list(selectors.contract_list(account, today))
    assert contracts == [running, ending, unlimited, open_ended, upcoming]
    found = selectors.contract_credits(contracts, today)
    assert set(found) == {running.pk, ending.pk, open_ended.pk}
    for contract in (running, ending, open_ended):
        assert found[contract.pk].summary == credits.summary_for(contract, today), contract
    assert found[running.pk].summary.over_limit_by == 2  # 4 - 2 adjusted - 4 used
    assert found[ending.pk].next_cycle_start is None  # the contract ends with this cycle
    cycle = credits.cycle_for(open_ended, today)
    assert found[open_ended.pk].next_cycle_start == cycle.end + datetime.timedelta(days=1)


def test_contract_list_is_active_then_upcoming_never_expired_nor_another_accounts(department):
    today = timezone.localdate()
    account = f.AccountFactory()
    later = f.ContractFactory(account=account, start_date=today - datetime.timedelta(days=1))
    earlier = f.ContractFactory(account=account, start_date=today - datetime.timedelta(days=9))
    upcoming = f.ContractFactory(account=account, start_date=today + datetime.timedelta(days=1))
    f.ContractFactory(
        account=account,
        start_date=today - datetime.timedelta(days=400),
        end_date=today - datetime.timedelta(days=1),
    )
    f.ContractFactory()  # another account's
    switched_off = f.ContractFactory(account=account)
    department = switched_off.support_plan.department
    department.contracts_enabled = False
    department.save()
    assert list(selectors.contract_list(account, today)) == [earlier, later, upcoming]


def test_usage_limited_to_an_account_counts_only_its_contracts(department):
    plan = f.SupportPlanFactory(department=department, ticket_based=True)
    mine, theirs = f.ContractFactory(support_plan=plan), f.ContractFactory(support_plan=plan)
    now = timezone.now()
    spend(mine, now)
    spend(theirs, now)
    spend(theirs, now - datetime.timedelta(minutes=1))
    today = timezone.localdate()
    args = {"plan": plan, "start": today, "end": today, "grouping": Grouping.YEAR}
    assert plan_credit_usage(**args).total == 3
    assert plan_credit_usage(**args, account=mine.account).total == 1
    assert plan_credit_usage(**args, account=theirs.account).total == 2
    assert plan_credit_usage(**args, account=f.AccountFactory()).total == 0
