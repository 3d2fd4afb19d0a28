"""Fixtures the workflow rules' tests share: an account, and a ticket-based contract of it with
an owner."""

import datetime

import pytest
from django.utils import timezone

from tests import factories as f


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Acme Widgets")


@pytest.fixture
def owner(db):
    return f.UserFactory(username="owner", email="owner@example.com", first_name="Olga")


@pytest.fixture
def ticket_based_contract(department, account, owner):
    plan = f.SupportPlanFactory(
        department=department, name="Gold", ticket_based=True, credit_limit=3
    )
    return f.ContractFactory(
        support_plan=plan,
        account=account,
        owner=owner,
        start_date=timezone.localdate() - datetime.timedelta(days=3),
    )
