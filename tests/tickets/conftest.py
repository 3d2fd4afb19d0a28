import datetime

import pytest
from django.utils import timezone

from tests import factories as f
from tickets import services


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Amber Motors")


@pytest.fixture
def limited_plan(department):
    """Ticket-based: 3 tickets a month."""
    return f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=3)


@pytest.fixture
def contract(limited_plan, account, administrator):
    today = timezone.localdate()
    return f.ContractFactory(
        account=account,
        support_plan=limited_plan,
        owner=administrator,
        start_date=today - datetime.timedelta(days=3),
        end_date=today + datetime.timedelta(days=360),
    )


@pytest.fixture
def open_ticket(account, department, agent):
    def make(**kwargs):
        values = {
            "by": agent,
            "subject": "Printer offline",
            "account": account,
            "department": department,
            "priority": "high",
            **kwargs,
        }
        return services.ticket_create(**values)

    return make
