import pytest
from django.contrib.auth.models import Permission

from tests import factories as f


@pytest.fixture
def manager(department):
    """A user with *Manage automation* who works in one department only."""
    user = f.UserFactory(username="manager", departments=[department])
    user.user_permissions.add(Permission.objects.get(codename="manage_automation"))
    return user


@pytest.fixture
def sla(department):
    return f.SLAFactory(department=department, name="Standard")


@pytest.fixture
def inactive_sla(department):
    return f.SLAFactory(department=department, name="Retired", is_active=False)


@pytest.fixture
def other_sla(other_department):
    return f.SLAFactory(department=other_department, name="Hardware SLA")


@pytest.fixture
def plan(department, sla):
    return f.SupportPlanFactory(department=department, sla=sla, name="Gold", ticket_based=True)


@pytest.fixture
def plan_in_use(plan):
    f.ContractFactory(support_plan=plan)
    return plan


def plan_data(sla, /, **overrides):
    """A valid create/edit form post for a ticket-based plan of ``sla``'s department."""
    data = {
        "name": "Silver",
        "department": sla.department_id,
        "plan_type": "ticket_based",
        "credit_cycle": "monthly",
        "credit_limit": "20",
        "sla": sla.pk,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
