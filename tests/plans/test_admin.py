"""The back office is a door onto the plan services like the plan pages.

Adds, changes, actions and deletes go through ``plans.services`` with the signed-in user; a
refusal comes back on the form or as a message (never a 500, nothing saved).
"""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.utils.html import escape

from desk.access import NOT_PERMITTED
from plans.models import PLAN_LOCKED, SupportPlan
from plans.services import plan_update
from tests import factories as f
from tests.conftest import opened_form, signed_in

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/plans/supportplan/"
ADD = "/admin/plans/supportplan/add/"


def change_url(plan):
    return f"/admin/plans/supportplan/{plan.pk}/change/"


def delete_url(plan):
    return f"/admin/plans/supportplan/{plan.pk}/delete/"


def form_errors(response) -> dict:
    return response.context["adminform"].form.errors


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def stored_terms(plan) -> tuple:
    plan = SupportPlan.objects.get(pk=plan.pk)
    return (plan.name, plan.plan_type, plan.credit_cycle, plan.credit_limit, plan.sla_id)


@pytest.fixture
def clerk(department):
    """Staff of the department who may use the plan admin but lacks *Manage automation*, which
    the plan services require."""
    user = f.UserFactory(username="clerk", is_staff=True, departments=[department])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="plans",
            codename__in=["view_supportplan", "change_supportplan", "delete_supportplan"],
        )
    )
    assert not user.has_perm("desk.manage_automation")
    return user


# -- add ------------------------------------------------------------------------------------------


def test_a_plan_added_in_the_back_office_is_saved_through_the_service(
    back_office, back_office_client, department, sla
):
    data = opened_form(back_office_client, ADD)
    data.update(
        department=department.pk,
        name="  Silver  ",
        plan_type="ticket_based",
        credit_cycle="monthly",
        credit_limit="20",
        sla=sla.pk,
        is_active="on",
    )

    response = back_office_client.post(ADD, data)

    assert response.status_code == 302, form_errors(response)
    plan = SupportPlan.objects.get(name="Silver")  # the service strips the name
    assert (plan.department, plan.plan_type, plan.credit_cycle, plan.credit_limit, plan.sla) == (
        department,
        "ticket_based",
        "monthly",
        20,
        sla,
    )
    assert plan.is_active
    (row,) = plan.history.all()
    assert (row.history_type, row.history_user) == ("+", back_office)


# -- change ---------------------------------------------------------------------------------------


def test_changing_the_type_of_a_plan_in_use_is_refused(back_office_client, plan_in_use):
    before = stored_terms(plan_in_use)
    data = opened_form(back_office_client, change_url(plan_in_use))
    data.update(plan_type="unlimited", credit_cycle="", credit_limit="")

    response = back_office_client.post(change_url(plan_in_use), data)

    assert response.status_code == 200
    assert form_errors(response)["plan_type"] == [str(PLAN_LOCKED)]
    assert escape(str(PLAN_LOCKED)) in response.content.decode()
    assert stored_terms(plan_in_use) == before
    assert plan_in_use.history.count() == 1


def test_renaming_a_plan_in_use_is_saved(back_office, back_office_client, plan_in_use):
    data = opened_form(back_office_client, change_url(plan_in_use))
    data["name"] = "Gold 2026"

    response = back_office_client.post(change_url(plan_in_use), data)

    assert response.status_code == 302, form_errors(response)
    assert stored_terms(plan_in_use) == (
        "Gold 2026",
        "ticket_based",
        "monthly",
        3,
        plan_in_use.sla_id,
    )
    latest = SupportPlan.objects.get(pk=plan_in_use.pk).history.first()
    assert (latest.history_type, latest.name, latest.history_user) == (
        "~",
        "Gold 2026",
        back_office,
    )


def test_unchecking_active_deactivates_the_plan_through_the_service(
    back_office, back_office_client, plan_in_use
):
    before = stored_terms(plan_in_use)
    data = opened_form(back_office_client, change_url(plan_in_use))
    assert data["initial-is_active"] is True
    del data["is_active"]  # an unchecked box is not posted

    response = back_office_client.post(change_url(plan_in_use), data)

    assert response.status_code == 302, form_errors(response)
    plan = SupportPlan.objects.get(pk=plan_in_use.pk)
    assert not plan.is_active
    assert stored_terms(plan) == before
    latest = plan.history.first()
    assert (latest.is_active, latest.history_user) == (False, back_office)


def test_the_department_of_a_plan_is_read_only_on_change(
    back_office_client, department, other_department, plan
):
    response = back_office_client.get(change_url(plan))
    assert "department" not in response.context["adminform"].form.fields
    assert "department" in response.context["adminform"].readonly_fields

    data = opened_form(back_office_client, change_url(plan))
    data.update({"name": "Gold 2026", "department": other_department.pk})
    response = back_office_client.post(change_url(plan), data)

    assert response.status_code == 302, form_errors(response)
    plan = SupportPlan.objects.get(pk=plan.pk)
    assert (plan.name, plan.department) == ("Gold 2026", department)


def test_a_stale_back_office_form_changes_only_what_it_changed(
    back_office, back_office_client, plan
):
    data = opened_form(back_office_client, change_url(plan))
    plan_update(by=back_office, plan=plan, name="Changed meanwhile")
    data["credit_limit"] = "5"

    response = back_office_client.post(change_url(plan), data)

    assert response.status_code == 302, form_errors(response)
    plan = SupportPlan.objects.get(pk=plan.pk)
    assert (plan.name, plan.credit_limit) == ("Changed meanwhile", 5)


# -- actions --------------------------------------------------------------------------------------


def run_action(client, action, plans):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [plan.pk for plan in plans], "index": 0},
    )


def test_the_deactivate_and_activate_actions_go_through_the_service(
    back_office, back_office_client, department, plan_in_use
):
    other = f.SupportPlanFactory(department=department, name="Bronze")
    plans = [plan_in_use, other]

    response = run_action(back_office_client, "deactivate", plans)

    assert response.status_code == 302
    assert list(SupportPlan.objects.filter(pk__in=[p.pk for p in plans], is_active=True)) == []
    for plan in plans:
        latest = SupportPlan.objects.get(pk=plan.pk).history.first()
        assert (latest.is_active, latest.history_user) == (False, back_office)

    response = run_action(back_office_client, "activate", plans)

    assert response.status_code == 302
    assert SupportPlan.objects.filter(pk__in=[p.pk for p in plans], is_active=True).count() == 2
    for plan in plans:
        latest = SupportPlan.objects.get(pk=plan.pk).history.first()
        assert (latest.is_active, latest.history_user) == (True, back_office)


def test_an_action_the_service_refuses_changes_nothing_and_says_why(clerk, department, plan_in_use):
    other = f.SupportPlanFactory(department=department, name="Bronze")

    response = run_action(signed_in(clerk), "deactivate", [plan_in_use, other])

    assert response.status_code == 302
    assert messages_of(response) == [str(NOT_PERMITTED)]
    assert (
        SupportPlan.objects.filter(pk__in=[plan_in_use.pk, other.pk], is_active=True).count() == 2
    )


# -- delete ---------------------------------------------------------------------------------------


def test_deleting_a_plan_in_use_is_refused(back_office_client, plan_in_use):
    contract = plan_in_use.contracts.get()

    response = back_office_client.post(delete_url(plan_in_use), {"post": "yes"})

    # Django's "Cannot delete" page names the contract that protects the plan.
    assert response.status_code == 200
    assert "Cannot delete support plan" in response.content.decode()
    assert any(str(contract) in line for line in response.context["protected"])
    assert SupportPlan.objects.filter(pk=plan_in_use.pk).exists()


def test_a_delete_the_service_refuses_keeps_the_plan_and_says_why(clerk, plan):
    response = signed_in(clerk).post(delete_url(plan), {"post": "yes"})

    assert response.status_code == 302
    assert messages_of(response) == [str(NOT_PERMITTED)]
    assert SupportPlan.objects.filter(pk=plan.pk).exists()


def test_deleting_an_unused_plan(back_office, back_office_client, plan):
    response = back_office_client.post(delete_url(plan), {"post": "yes"})

    assert response.status_code == 302
    assert not SupportPlan.objects.filter(pk=plan.pk).exists()
    deleted = SupportPlan.history.get(id=plan.pk, history_type="-")
    assert deleted.history_user == back_office
