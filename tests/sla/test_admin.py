"""The back office reads SLAs and activates, deactivates and deletes them through the services;
it adds and edits none (that is the SLA settings page, whose form checks targets, hours and
escalation levels together)."""

import pytest
from django.contrib.messages import get_messages

from desk.access import NOT_PERMITTED
from plans.models import SupportPlan
from sla.models import SLA, SLATarget
from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/sla/sla/"
ADD = "/admin/sla/sla/add/"


def change_url(sla):
    return f"/admin/sla/sla/{sla.pk}/change/"


def delete_url(sla):
    return f"/admin/sla/sla/{sla.pk}/delete/"


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, action, slas):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [sla.pk for sla in slas], "index": 0},
    )


@pytest.fixture
def sla(department):
    return f.SLAFactory(department=department, name="Standard")


@pytest.fixture
def premium(department):
    return f.SLAFactory(department=department, name="Premium")


# -- no add, no change ----------------------------------------------------------------------------


def test_the_back_office_adds_no_sla(back_office_client, department):
    assert back_office_client.get(ADD).status_code == 403
    response = back_office_client.post(
        ADD, {"department": department.pk, "name": "Sneaky", "time_zone": "UTC"}
    )
    assert response.status_code == 403
    assert not SLA.objects.exists()
    changelist = back_office_client.get(CHANGELIST)
    assert changelist.status_code == 200
    assert not changelist.context["has_add_permission"]


def test_the_back_office_changes_no_sla(back_office_client, sla):
    response = back_office_client.get(change_url(sla))
    assert response.status_code == 200  # read only
    assert not response.context["has_change_permission"]
    assert "name" not in response.context["adminform"].form.fields

    response = back_office_client.post(
        change_url(sla), {"name": "Renamed", "initial-name": "Standard", "is_active": ""}
    )

    assert response.status_code == 403
    stored = SLA.objects.get(pk=sla.pk)
    assert (stored.name, stored.is_active) == ("Standard", True)
    assert stored.history.count() == 1


# -- actions --------------------------------------------------------------------------------------


def test_the_deactivate_and_activate_actions_go_through_the_service(
    back_office, back_office_client, sla, premium
):
    response = run_action(back_office_client, "deactivate", [sla, premium])

    assert response.status_code == 302
    assert not SLA.objects.filter(pk__in=[sla.pk, premium.pk], is_active=True).exists()
    for each in (sla, premium):
        latest = SLA.objects.get(pk=each.pk).history.first()
        assert (latest.is_active, latest.history_user) == (False, back_office)

    response = run_action(back_office_client, "activate", [sla, premium])

    assert response.status_code == 302
    assert SLA.objects.filter(pk__in=[sla.pk, premium.pk], is_active=True).count() == 2
    for each in (sla, premium):
        latest = SLA.objects.get(pk=each.pk).history.first()
        assert (latest.is_active, latest.history_user) == (True, back_office)


def test_an_action_the_service_refuses_changes_nothing_and_says_why(department, sla, premium):
    """The actions need only the view permission to be offered; the service asks for *Manage
    automation*, which an agent lacks."""
    agent = f.AgentFactory(username="staff-agent", is_staff=True, departments=[department])

    response = run_action(signed_in(agent), "deactivate", [sla, premium])

    assert response.status_code == 302
    assert messages_of(response) == [str(NOT_PERMITTED)]
    assert SLA.objects.filter(pk__in=[sla.pk, premium.pk], is_active=True).count() == 2


# -- delete ---------------------------------------------------------------------------------------


def test_deleting_an_sla_used_by_a_plan_is_refused(back_office_client, department, sla):
    plan = f.SupportPlanFactory(department=department, sla=sla, name="Gold")

    response = back_office_client.post(delete_url(sla), {"post": "yes"})

    # Django's "Cannot delete" page names the plan that protects the SLA.
    assert response.status_code == 200
    assert "Cannot delete SLA" in response.content.decode()
    assert any(str(plan) in line for line in response.context["protected"])
    assert SLA.objects.filter(pk=sla.pk).exists()
    assert SupportPlan.objects.get(pk=plan.pk).sla == sla


def test_deleting_an_unused_sla(back_office, back_office_client, sla):
    response = back_office_client.post(delete_url(sla), {"post": "yes"})

    assert response.status_code == 302
    assert not SLA.objects.filter(pk=sla.pk).exists()
    assert not SLATarget.objects.filter(sla_id=sla.pk).exists()
    assert SLA.history.get(id=sla.pk, history_type="-").history_user == back_office
