"""A plan's credit limit is bounded, with a message naming the bound, at every door; and two
people saving plans of the same name at once get the form's own duplicate message, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from plans import services
from plans.models import CREDIT_LIMIT_MAX, LIMIT_TOO_HIGH, SupportPlan
from tests import factories as f
from tests.concurrency import run_together, saved_meanwhile
from tests.conftest import signed_in
from tests.plans.conftest import plan_data

TOO_HIGH = str(LIMIT_TOO_HIGH) % {"limit_value": CREDIT_LIMIT_MAX}


def create(by, sla, *, name="Silver", **terms):
    return services.plan_create(
        by=by,
        department=sla.department,
        name=name,
        plan_type=terms.pop("plan_type", "ticket_based"),
        credit_cycle=terms.pop("credit_cycle", "monthly"),
        credit_limit=terms.pop("credit_limit", 20),
        sla=sla,
    )


# -- the credit limit -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_service_takes_the_largest_credit_limit(sla):
    assert create(f.desk_admin(), sla, credit_limit=CREDIT_LIMIT_MAX).credit_limit == 100_000


@pytest.mark.django_db
@pytest.mark.parametrize("limit", [CREDIT_LIMIT_MAX + 1, 2_147_483_647])
def test_the_service_refuses_a_larger_credit_limit_naming_the_bound(sla, limit):
    with pytest.raises(ValidationError) as refused:
        create(f.desk_admin(), sla, credit_limit=limit)
    assert refused.value.message_dict == {"credit_limit": [TOO_HIGH]}
    assert not SupportPlan.objects.exists()


@pytest.mark.django_db
def test_editing_a_plan_to_a_larger_credit_limit_is_refused(plan):
    with pytest.raises(ValidationError) as refused:
        services.plan_update(by=f.desk_admin(), plan=plan, credit_limit=CREDIT_LIMIT_MAX + 1)
    assert refused.value.message_dict == {"credit_limit": [TOO_HIGH]}
    assert SupportPlan.objects.get(pk=plan.pk).credit_limit == 3


@pytest.mark.django_db
def test_the_plan_page_refuses_a_larger_credit_limit_next_to_the_field(admin_client, sla):
    response = admin_client.post(
        reverse("plans:plan_create"), plan_data(sla, credit_limit=str(CREDIT_LIMIT_MAX + 1))
    )
    assert response.status_code == 200
    assert TOO_HIGH in response.context["form"].errors["credit_limit"]
    assert not SupportPlan.objects.exists()


@pytest.mark.django_db
def test_the_back_office_refuses_a_larger_credit_limit_next_to_the_field(department, sla):
    back_office = f.AdministratorFactory(username="bo", is_staff=True, departments=[department])
    data = {
        "department": department.pk,
        "name": "Silver",
        "plan_type": "ticket_based",
        "credit_cycle": "monthly",
        "credit_limit": str(CREDIT_LIMIT_MAX + 1),
        "sla": sla.pk,
        "is_active": "on",
    }
    response = signed_in(back_office).post("/admin/plans/supportplan/add/", data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["credit_limit"] == [TOO_HIGH]
    assert not SupportPlan.objects.exists()


# -- the same name at the same moment -------------------------------------------------------------


def duplicate_refusal(by, sla, name="Gold") -> dict:
    """What saving a plan whose name is taken answers when nobody races: ``full_clean``'s."""
    with pytest.raises(ValidationError) as refused:
        create(by, sla, name=name)
    return refused.value.message_dict


@pytest.mark.django_db
def test_a_plan_created_while_another_of_its_name_is_saved_gets_the_duplicate_message(
    monkeypatch, sla
):
    admin = f.desk_admin()
    rival = f.SupportPlanFactory.build(department=sla.department, name="Silver", sla=sla)
    saved_meanwhile(monkeypatch, SupportPlan, rival.save)

    with pytest.raises(ValidationError) as refused:
        create(admin, sla, name="Silver")

    assert not SupportPlan.objects.exists()  # the rival rolled back with the refused save
    f.SupportPlanFactory(department=sla.department, name="Silver", sla=sla)
    assert refused.value.message_dict == duplicate_refusal(admin, sla, name="Silver")


@pytest.mark.django_db
def test_a_plan_renamed_while_another_takes_the_name_gets_the_duplicate_message(monkeypatch, plan):
    admin = f.desk_admin()
    rival = f.SupportPlanFactory.build(department=plan.department, name="Platinum", sla=plan.sla)
    saved_meanwhile(monkeypatch, SupportPlan, rival.save)

    with pytest.raises(ValidationError) as refused:
        services.plan_update(by=admin, plan=plan, name="Platinum")

    assert list(SupportPlan.objects.values_list("name", flat=True)) == ["Gold"]
    f.SupportPlanFactory(department=plan.department, name="Platinum", sla=plan.sla)
    assert refused.value.message_dict == duplicate_refusal(admin, plan.sla, name="Platinum")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_of_one_name_save_one_and_refuse_the_other_as_the_form_does():
    department = f.DepartmentFactory(name="Support")
    sla = f.SLAFactory(department=department)
    admin = f.desk_admin()
    outcomes: list = []

    def create_silver():
        outcomes.append(create(admin, sla, name="Gold"))

    errors = run_together(create_silver, create_silver)

    assert SupportPlan.objects.filter(name="Gold").count() == 1
    assert len(outcomes) == 1 and len(errors) == 1, errors
    assert isinstance(errors[0], ValidationError), errors
    assert errors[0].message_dict == duplicate_refusal(admin, sla)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_plans_renamed_to_one_name_at_once_keep_one_and_refuse_the_other():
    department = f.DepartmentFactory(name="Support")
    sla = f.SLAFactory(department=department)
    admin = f.desk_admin()
    plans = [f.SupportPlanFactory(department=department, sla=sla) for _ in range(2)]

    def rename(plan):
        return lambda: services.plan_update(by=admin, plan=plan, name="Gold")

    errors = run_together(*(rename(plan) for plan in plans))

    assert SupportPlan.objects.filter(name="Gold").count() == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
    assert errors[0].message_dict == duplicate_refusal(admin, sla)
