import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from api import tokens
from api.models import RequestCount
from tests import factories as f

JSON = "application/json"


def token_client(user) -> Client:
    """A client sending a new personal token of ``user`` (as curl would), no session."""
    _token, secret = tokens.token_create(by=user, name="Tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def admin_api(administrator):
    return token_client(administrator)


@pytest.fixture
def agent_api(agent):
    return token_client(agent)


@pytest.fixture
def manager(department):
    """A contract manager of ``department`` only (not an administrator, who sees every
    department), who also manages automation (support plans): every write of the API is open
    to them, behind the department walls."""
    user = f.UserFactory(username="manager", groups=["Contract managers"], departments=[department])
    user.user_permissions.add(Permission.objects.get(codename="manage_automation"))
    return user


@pytest.fixture
def manager_api(manager):
    return token_client(manager)


@pytest.fixture
def request_counts(db):
    """The throttle's request counts (rows of the test's own transaction)."""
    return RequestCount.objects


def contract_body(account, plan, **changes):
    """A new contract's body: a year from today, on ``plan``, for ``account``."""
    today = timezone.localdate()
    return {
        "contract_number": "K-1",
        "name": "Support",
        "account": account.pk,
        "support_plan": plan.pk,
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=364)).isoformat(),
    } | changes
