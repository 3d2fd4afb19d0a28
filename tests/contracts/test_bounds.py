"""Every date and count a contract takes has a bound, with a message naming it, at every door:
the service, the contract pages, the back office and the plan overview's usage range."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from contracts import credits, services
from contracts.credits import ADJUSTMENT_MAX, ADJUSTMENT_TOO_LARGE
from contracts.models import Contract
from contracts.services import NOTICE_BEYOND_LENGTH
from desk.validators import DATE_TOO_EARLY, DATE_TOO_LATE
from tests import factories as f
from tests.conftest import signed_in
from tests.contracts.conftest import form_data

pytestmark = pytest.mark.django_db

TOO_LATE = str(DATE_TOO_LATE) % {"limit": "2200-12-31"}
TOO_EARLY = str(DATE_TOO_EARLY) % {"limit": "1900-01-01"}
START = datetime.date(2026, 1, 1)


def create(by, plan, account, **overrides):
    fields = {
        "name": "Acme support",
        "contract_number": "K-1",
        "account": account,
        "start_date": START,
        "end_date": START + datetime.timedelta(days=364),
        "support_plan": plan,
    }
    fields.update(overrides)
    return services.contract_create(by=by, **fields)


@pytest.mark.parametrize(
    ("start", "end", "errors"),
    [
        # Once saved, and the contract's page then a 500 (its credit cycles ran past year 9999).
        (
            datetime.date(9999, 1, 1),
            datetime.date(9999, 12, 31),
            {"start_date": [TOO_LATE], "end_date": [TOO_LATE]},
        ),
        (START, datetime.date(2201, 1, 1), {"end_date": [TOO_LATE]}),
        (datetime.date(1899, 12, 31), START, {"start_date": [TOO_EARLY]}),
        (datetime.date(1, 1, 1), START, {"start_date": [TOO_EARLY]}),
    ],
)
def test_the_service_refuses_a_date_out_of_range_naming_the_bound(
    administrator, plan, account, start, end, errors
):
    with pytest.raises(ValidationError) as refused:
        create(administrator, plan, account, start_date=start, end_date=end)
    assert refused.value.message_dict == errors
    assert not Contract.objects.exists()


def test_the_service_takes_the_bounds_themselves(administrator, plan, account):
    contract = create(
        administrator,
        plan,
        account,
        start_date=datetime.date(1900, 1, 1),
        end_date=datetime.date(2200, 12, 31),
    )
    assert contract.pk is not None


def test_the_contract_page_refuses_year_9999_next_to_the_fields(
    admin_client, administrator, plan, account
):
    data = form_data(
        account=account,
        plan=plan,
        owner=administrator,
        start_date="9999-01-01",
        end_date="9999-12-31",
    )
    response = admin_client.post(reverse("contracts:contract_create"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["start_date"] == [TOO_LATE] and errors["end_date"] == [TOO_LATE]
    assert escape(TOO_LATE) in response.content.decode()
    assert not Contract.objects.exists()


def test_the_contract_form_draws_the_range_on_its_date_inputs(admin_client):
    page = admin_client.get(reverse("contracts:contract_create")).content.decode()
    assert page.count('min="1900-01-01"') == 2 and page.count('max="2200-12-31"') == 2


def test_the_back_office_refuses_year_9999_next_to_the_field(department, plan, account):
    back_office = f.AdministratorFactory(username="bo", is_staff=True, departments=[department])
    client = signed_in(back_office)
    add = "/admin/contracts/contract/add/"
    data = {
        "owner": back_office.pk,
        "name": "Acme support",
        "contract_number": "K-9",
        "account": account.pk,
        "start_date": "2026-01-01",
        "end_date": "9999-12-31",
        "support_plan": plan.pk,
        "credit_entries-TOTAL_FORMS": "0",
        "credit_entries-INITIAL_FORMS": "0",
    }
    response = client.post(add, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["end_date"] == [TOO_LATE]
    assert not Contract.objects.exists()


# -- the expiry notice ----------------------------------------------------------------------------


def test_a_notice_can_go_out_on_the_start_date_at_the_earliest(administrator, plan, account):
    contract = create(
        administrator,
        plan,
        account,
        end_date=START + datetime.timedelta(days=30),
        notify_days_before=30,
        notify_users=[administrator],
    )
    assert contract.notify_days_before == 30


@pytest.mark.parametrize("days", [31, 36_500, 2_147_483_647])
def test_a_notice_before_the_start_date_is_refused_naming_the_length(
    administrator, plan, account, days
):
    with pytest.raises(ValidationError) as refused:
        create(
            administrator,
            plan,
            account,
            end_date=START + datetime.timedelta(days=30),
            notify_days_before=days,
            notify_users=[administrator],
        )
    assert refused.value.message_dict == {
        "notify_days_before": [str(NOTICE_BEYOND_LENGTH) % {"days": 30}]
    }


def test_shortening_a_contract_below_its_notice_is_refused(administrator, plan, account):
    contract = create(
        administrator, plan, account, notify_days_before=60, notify_users=[administrator]
    )
    with pytest.raises(ValidationError) as refused:
        services.contract_update(
            by=administrator, contract=contract, end_date=START + datetime.timedelta(days=10)
        )
    assert refused.value.message_dict == {
        "notify_days_before": [str(NOTICE_BEYOND_LENGTH) % {"days": 10}]
    }


def test_the_contract_page_shows_the_notice_bound_on_its_field(
    admin_client, administrator, plan, account
):
    data = form_data(
        account=account,
        plan=plan,
        owner=administrator,
        start_date="2026-01-01",
        end_date="2026-01-31",
        notify_days_before="365",
    )
    response = admin_client.post(reverse("contracts:contract_create"), data)
    assert response.status_code == 200
    message = str(NOTICE_BEYOND_LENGTH) % {"days": 30}
    assert response.context["form"].errors["notify_days_before"] == [message]
    assert not Contract.objects.exists()


# -- the plan overview's usage range --------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("9999-01-01", "9999-12-31", "end", TOO_LATE),  # once a 500: past year 9999
        ("9999-12-01", "9999-12-31", "start", TOO_LATE),
        ("1066-10-14", "1066-10-14", "start", TOO_EARLY),
        ("2200-12-01", "2201-01-01", "end", TOO_LATE),
    ],
)
def test_the_usage_range_is_bounded_with_a_message(admin_client, plan, start, end, field, message):
    response = admin_client.get(
        plan.get_absolute_url(), {"start": start, "end": end, "group": "week"}
    )
    assert response.status_code == 200
    assert message in response.context["usage_form"].errors[field]
    assert len(response.context["usage"].periods) == 12  # the default range instead


def test_the_usage_range_takes_the_last_days_of_the_range(admin_client, plan):
    response = admin_client.get(
        plan.get_absolute_url(), {"start": "2200-01-01", "end": "2200-12-31", "group": "month"}
    )
    assert response.status_code == 200
    assert not response.context["usage_form"].errors
    assert len(response.context["usage"].periods) == 12


# -- a manual credit adjustment -------------------------------------------------------------------


@pytest.mark.parametrize("delta", [ADJUSTMENT_MAX + 1, -ADJUSTMENT_MAX - 1, 2**63])
def test_the_credit_service_refuses_an_adjustment_past_the_bound(administrator, department, delta):
    contract = f.ContractFactory(
        support_plan=f.SupportPlanFactory(department=department, ticket_based=True)
    )
    with pytest.raises(ValidationError) as refused:
        credits.adjust(by=administrator, contract=contract, delta=delta, reason="Goodwill")
    message = str(ADJUSTMENT_TOO_LARGE) % {"limit_value": ADJUSTMENT_MAX}
    assert refused.value.message_dict == {"delta": [message]}
    assert not contract.credit_entries.exists()


def test_the_credit_service_takes_an_adjustment_at_the_bound(administrator, department):
    contract = f.ContractFactory(
        support_plan=f.SupportPlanFactory(department=department, ticket_based=True)
    )
    entry = credits.adjust(
        by=administrator, contract=contract, delta=-ADJUSTMENT_MAX, reason="Goodwill"
    )
    assert entry.delta == -10_000
