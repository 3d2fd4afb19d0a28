"""Contracts with no end date (SPEC section 6): active from their start for ever, never expiring,
with no expiry notice, and credit cycles that run on from the start indefinitely."""

import datetime
import io

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from contracts import credits, notices, services
from contracts.cycles import cycle_containing, cycles_between
from contracts.models import Contract
from tests import factories as f
from tests.conftest import signed_in
from tickets.services import ticket_create, ticket_update

from .conftest import form_data

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
NO_END = "No end date"


def open_ended(**kwargs) -> Contract:
    return f.ContractFactory(end_date=None, **kwargs)


def create(by, **kwargs) -> Contract:
    values = {
        "by": by,
        "name": "Open-ended support",
        "contract_number": "OPEN-1",
        "start_date": timezone.localdate(),
        "end_date": None,
        **kwargs,
    }
    return services.contract_create(**values)


# --- status and the querysets ------------------------------------------------------------------


def test_an_open_ended_contract_is_active_from_its_start_for_ever():
    start = datetime.date(2026, 1, 15)
    contract = open_ended(start_date=start)
    assert contract.status_on(start - DAY) == Contract.Status.UPCOMING
    for day in (start, start + 365 * DAY, datetime.date(2200, 12, 31)):
        assert contract.status_on(day) == Contract.Status.ACTIVE
        assert list(Contract.objects.active_on(day)) == [contract]
        assert not Contract.objects.expired_on(day).exists()
    assert not Contract.objects.active_on(start - DAY).exists()
    assert list(Contract.objects.upcoming_on(start - DAY)) == [contract]


def test_a_contract_with_an_end_date_still_expires_next_to_an_open_ended_one():
    start = datetime.date(2026, 1, 15)
    ending = f.ContractFactory(start_date=start, end_date=start + 10 * DAY)
    forever = open_ended(start_date=start)
    later = start + 11 * DAY
    assert list(Contract.objects.active_on(later)) == [forever]
    assert list(Contract.objects.expired_on(later)) == [ending]
    assert ending.status_on(later) == Contract.Status.EXPIRED


def test_the_account_page_ranks_an_open_ended_contract_as_active(admin_client, department):
    from contracts.selectors import contract_list_for_account

    today = timezone.localdate()
    account = f.AccountFactory()
    expired = f.ContractFactory(
        account=account,
        support_plan__department=department,
        start_date=today - 400 * DAY,
        end_date=today - 300 * DAY,
    )
    forever = open_ended(
        account=account, support_plan__department=department, start_date=today - 500 * DAY
    )
    administrator = f.desk_admin()
    ranked = list(contract_list_for_account(administrator, account, day=today))
    assert ranked == [forever, expired]


# --- overlap: a missing end date counts as "for ever" ------------------------------------------


@pytest.fixture
def same_sla_plans(department):
    first = f.SupportPlanFactory(department=department)
    second = f.SupportPlanFactory(department=department, sla=first.sla)
    return first, second


def test_an_open_ended_contract_overlaps_every_later_one_of_the_same_sla(same_sla_plans):
    first, second = same_sla_plans
    by = f.desk_admin()
    account = f.AccountFactory()
    start = timezone.localdate()
    create(by, account=account, support_plan=first, start_date=start)
    with pytest.raises(ValidationError) as error:
        create(
            by,
            contract_number="LATER",
            account=account,
            support_plan=second,
            start_date=start + 3650 * DAY,
            end_date=start + 3700 * DAY,
        )
    assert "start_date" in error.value.message_dict
    # Ending before the open-ended one starts is no overlap.
    create(
        by,
        contract_number="EARLIER",
        account=account,
        support_plan=second,
        start_date=start - 100 * DAY,
        end_date=start - DAY,
    )


def test_a_new_open_ended_contract_overlaps_one_that_ends_after_its_start(same_sla_plans):
    first, second = same_sla_plans
    by = f.desk_admin()
    account = f.AccountFactory()
    start = timezone.localdate()
    create(
        by,
        contract_number="OLD",
        account=account,
        support_plan=first,
        start_date=start - 100 * DAY,
        end_date=start + 10 * DAY,
    )
    with pytest.raises(ValidationError) as error:
        create(by, account=account, support_plan=second, start_date=start + 10 * DAY)
    assert "start_date" in error.value.message_dict
    create(by, account=account, support_plan=second, start_date=start + 11 * DAY)


def test_two_open_ended_contracts_of_one_account_overlap_but_not_across_slas(department):
    by = f.desk_admin()
    account = f.AccountFactory()
    start = timezone.localdate()
    plan = f.SupportPlanFactory(department=department)
    create(by, account=account, support_plan=plan, start_date=start)
    with pytest.raises(ValidationError):
        create(
            by,
            contract_number="OPEN-2",
            account=account,
            support_plan=f.SupportPlanFactory(department=department, sla=plan.sla),
            start_date=start + 1000 * DAY,
        )
    other_sla = f.SupportPlanFactory(department=department)
    assert other_sla.sla_id != plan.sla_id
    create(by, contract_number="OPEN-3", account=account, support_plan=other_sla)


# --- credit cycles run on indefinitely ---------------------------------------------------------


def test_cycles_of_an_open_ended_contract_are_never_clamped():
    anchor = datetime.date(2024, 1, 31)
    day = anchor + relativedelta(months=30) + 3 * DAY  # 3 August 2026
    cycle = cycle_containing(anchor=anchor, contract_end=None, cycle="monthly", day=day)
    assert (cycle.start, cycle.end) == (datetime.date(2026, 7, 31), datetime.date(2026, 8, 30))
    far = cycle_containing(
        anchor=anchor, contract_end=None, cycle="weekly", day=datetime.date(2100, 1, 1)
    )
    assert far.start <= datetime.date(2100, 1, 1) <= far.end
    assert (far.end - far.start).days == 6


def test_cycles_between_needs_a_bound_for_an_open_ended_contract():
    anchor = datetime.date(2026, 1, 15)
    with pytest.raises(ValueError):
        cycles_between(anchor=anchor, contract_end=None, cycle="monthly")
    cycles = cycles_between(
        anchor=anchor, contract_end=None, cycle="monthly", until=datetime.date(2028, 7, 15)
    )
    assert len(cycles) == 31
    assert (cycles[-1].start, cycles[-1].end) == (
        datetime.date(2028, 7, 15),
        datetime.date(2028, 8, 14),
    )
    # With an end date, ``until`` only shortens the list and the last cycle ends with the contract.
    bounded = cycles_between(
        anchor=anchor,
        contract_end=datetime.date(2026, 3, 20),
        cycle="monthly",
        until=datetime.date(2030, 1, 1),
    )
    assert [c.end for c in bounded] == [
        datetime.date(2026, 2, 14),
        datetime.date(2026, 3, 14),
        datetime.date(2026, 3, 20),
    ]


def test_a_monthly_open_ended_contract_has_a_full_cycle_thirty_months_on(department):
    plan = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=3)
    start = datetime.date(2026, 1, 15)
    contract = open_ended(support_plan=plan, start_date=start)
    day = start + relativedelta(months=30) + 5 * DAY
    cycle = credits.cycle_for(contract, day)
    assert (cycle.start, cycle.end) == (datetime.date(2028, 7, 15), datetime.date(2028, 8, 14))


def test_a_ticket_based_balance_on_an_open_ended_contract(department, agent):
    plan = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=3)
    today = timezone.localdate()
    start = today - relativedelta(months=30)
    account = f.AccountFactory()
    contract = open_ended(account=account, support_plan=plan, start_date=start)
    ticket = ticket_create(by=agent, subject="Broken", account=account, department=department)
    assert ticket.contract == contract
    assert ticket.sla == plan.sla
    ticket_update(by=agent, ticket=ticket, status="resolved")
    summary = credits.summary_for(contract)
    expected = cycle_containing(anchor=start, contract_end=None, cycle="monthly", day=today)
    assert summary.cycle == expected
    assert summary.cycle.start > today - 32 * DAY  # the current cycle, not the first
    assert (summary.used, summary.left) == (1, 2)
    entry = contract.credit_entries.get()
    assert (entry.cycle_start, entry.cycle_end) == (expected.start, expected.end)


# --- expiry notices ----------------------------------------------------------------------------


def test_the_service_refuses_notice_fields_without_an_end_date(department):
    by = f.desk_admin()
    plan = f.SupportPlanFactory(department=department)
    with pytest.raises(ValidationError) as error:
        create(by, account=f.AccountFactory(), support_plan=plan, notify_users=[by])
    assert error.value.message_dict["notify_users"] == [services.NOTICE_NEEDS_END_DATE]
    with pytest.raises(ValidationError) as error:
        create(by, account=f.AccountFactory(), support_plan=plan, notify_days_before=7)
    assert error.value.message_dict["notify_days_before"] == [services.NOTICE_NEEDS_END_DATE]
    assert not Contract.objects.exists()


def test_clearing_the_end_date_of_a_contract_with_a_notice_is_refused_until_it_is_dropped(
    department,
):
    by = f.desk_admin()
    contract = f.ContractFactory(support_plan__department=department, notify_days_before=30)
    contract.notify_users.set([by])
    with pytest.raises(ValidationError) as error:
        services.contract_update(by=by, contract=contract, end_date=None)
    assert services.NOTICE_NEEDS_END_DATE in error.value.message_dict["notify_days_before"]
    services.contract_update(
        by=by, contract=contract, end_date=None, notify_days_before=None, notify_users=[]
    )
    contract.refresh_from_db()
    assert contract.end_date is None


def test_the_notice_length_bound_applies_only_with_an_end_date(department):
    by = f.desk_admin()
    plan = f.SupportPlanFactory(department=department)
    start = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        create(
            by,
            account=f.AccountFactory(),
            support_plan=plan,
            end_date=start + 10 * DAY,
            notify_users=[by],
            notify_days_before=11,
        )
    assert "notify_days_before" in error.value.message_dict


def test_the_page_says_why_notice_fields_are_refused(admin_client, administrator, department):
    plan = f.SupportPlanFactory(department=department)
    account = f.AccountFactory()
    data = form_data(account=account, plan=plan, owner=administrator, end_date="")
    response = admin_client.post("/contracts/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["notify_users"] == [str(services.NOTICE_NEEDS_END_DATE)]
    assert errors["notify_days_before"] == [str(services.NOTICE_NEEDS_END_DATE)]
    assert not Contract.objects.exists()


def test_the_create_page_saves_a_contract_with_an_empty_end_date(
    admin_client, administrator, department
):
    plan = f.SupportPlanFactory(department=department)
    account = f.AccountFactory()
    page = admin_client.get("/contracts/new/").content.decode()
    assert "Leave empty for a contract with no end date." in page
    data = form_data(
        account=account,
        plan=plan,
        owner=administrator,
        end_date="",
        notify_users=None,
        notify_days_before="",
    )
    response = admin_client.post("/contracts/new/", data)
    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == contract.get_absolute_url()
    assert contract.end_date is None
    assert contract.status == Contract.Status.ACTIVE


def test_no_notice_is_ever_due_or_sent_for_an_open_ended_contract(
    mailoutbox, django_capture_on_commit_callbacks
):
    start = datetime.date(2026, 1, 15)
    contract = open_ended(start_date=start)
    # Written straight to the row: the service refuses it, an older row might still hold it.
    Contract.objects.filter(pk=contract.pk).update(notify_days_before=36_500)
    contract.notify_users.set([f.UserFactory()])
    # The same contract with an end date would be due: the test can fail.
    ending = f.ContractFactory(start_date=start, end_date=start + 20 * DAY, notify_days_before=30)
    ending.notify_users.set(contract.notify_users.all())
    for day in (start, start + 10 * DAY, start + 3650 * DAY):
        due = list(notices.due_notices(day))
        assert contract not in due
    assert list(notices.due_notices(start)) == [ending]
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.send_expiry_notices(today=start) == 1
    contract.refresh_from_db()
    assert contract.expiry_notice_sent_for is None


# --- the pages say "No end date" ---------------------------------------------------------------


@pytest.fixture
def forever(department):
    return open_ended(
        name="Customer support and service",
        support_plan__department=department,
        support_plan__name="Forever plan",
        start_date=timezone.localdate() - 30 * DAY,
    )


def no_end_shown(html: str) -> bool:
    return f'<span class="contract-no-end-date">{NO_END}</span>' in html or (
        f'<span class="contract-no-end-date contract-end">{NO_END}</span>' in html
    )


def test_the_contract_list_and_detail_say_no_end_date(admin_client, forever):
    listing = admin_client.get("/contracts/").content.decode()
    assert forever.name in listing and no_end_shown(listing)
    detail = admin_client.get(forever.get_absolute_url()).content.decode()
    assert no_end_shown(detail)
    assert 'id="contract-status">Active<' in detail
    assert no_end_shown(admin_client.get("/contracts/", {"status": "active"}).content.decode())
    expired = admin_client.get("/contracts/", {"status": "expired"}).content.decode()
    assert forever.name not in expired
    expiring = admin_client.get("/contracts/", {"expiring_within": "36500"}).content.decode()
    assert forever.name not in expiring


def test_sorting_by_end_date_puts_open_ended_contracts_last(admin_client, forever, department):
    dated = f.ContractFactory(support_plan__department=department)
    ascending = admin_client.get("/contracts/", {"o": "end_date"}).context["contracts"]
    assert list(ascending) == [dated, forever]
    descending = admin_client.get("/contracts/", {"o": "-end_date"}).context["contracts"]
    assert list(descending) == [forever, dated]


def test_the_account_page_and_plan_overview_say_no_end_date(admin_client, forever):
    account_page = admin_client.get(forever.account.get_absolute_url()).content.decode()
    assert forever.name in account_page and no_end_shown(account_page)
    plan_page = admin_client.get(forever.support_plan.get_absolute_url()).content.decode()
    assert no_end_shown(plan_page)


def test_the_ticket_contract_panel_says_no_end_date(agent, department, forever):
    ticket = ticket_create(
        by=agent, subject="Broken", account=forever.account, department=department
    )
    assert ticket.contract == forever
    html = signed_in(agent).get(ticket.get_absolute_url()).content.decode()
    assert no_end_shown(html)


def test_the_admin_list_says_no_end_date(back_office_client, forever):
    html = back_office_client.get("/admin/contracts/contract/").content.decode()
    assert forever.name in html and NO_END in html


# --- the demo desk -----------------------------------------------------------------------------


def test_the_demo_desk_has_amber_motors_two_contracts_one_without_an_end_date():
    call_command("load_demo_data", stdout=io.StringIO())
    today = timezone.localdate()
    amber = Contract.objects.filter(account__name="Amber Motors").active_on(today)
    by_name = {c.name: c for c in amber.select_related("support_plan")}
    limited = by_name["Amber Motors service and support"]
    forever = by_name["Amber Motors customer support and service"]
    assert limited.end_date is not None and forever.end_date is None
    assert limited.support_plan_id != forever.support_plan_id
    assert limited.support_plan.sla_id != forever.support_plan.sla_id
    assert not forever.notify_users.exists() and forever.notify_days_before is None
