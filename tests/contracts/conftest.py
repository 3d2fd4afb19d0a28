import datetime

import pytest
from django.utils import timezone

from tests import factories as f

TODAY = datetime.date(2026, 3, 10)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def plan(department):
    return f.SupportPlanFactory(department=department, name="Gold")


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Acme")


def form_data(*, account, plan, owner, **overrides):
    start = timezone.localdate()
    data = {
        "owner": owner.pk,
        "name": "Acme support",
        "contract_number": "K-1",
        "product_name": "Widgets",
        "account": account.pk,
        "start_date": start.isoformat(),
        "end_date": (start + datetime.timedelta(days=364)).isoformat(),
        "support_plan": plan.pk,
        "notify_users": [owner.pk],
        "notify_days_before": "30",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def edit_data(contract, **overrides):
    """The edit form's post for ``contract`` as it is, with ``overrides`` (None drops a field)."""
    data = {
        "owner": contract.owner_id,
        "name": contract.name,
        "contract_number": contract.contract_number,
        "product_name": contract.product_name,
        "account": contract.account_id,
        "start_date": contract.start_date.isoformat(),
        "end_date": contract.end_date.isoformat() if contract.end_date else "",
        "support_plan": contract.support_plan_id,
        "notify_users": [u.pk for u in contract.notify_users.all()],
        "notify_days_before": contract.notify_days_before or "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
