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
