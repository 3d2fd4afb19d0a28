"""The plan rules as the model and the database keep them (admin and code included)."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from plans import models as m
from plans.models import SupportPlan
from plans.selectors import plans_offered_for_contracts
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_direct_save_of_a_locked_change_is_refused(plan_in_use, department):
    other = f.SLAFactory(department=department)
    for field, value in [("plan_type", "unlimited"), ("credit_cycle", "weekly"), ("sla", other)]:
        fresh = SupportPlan.objects.get(pk=plan_in_use.pk)
        setattr(fresh, field, value)
        if field == "plan_type":
            fresh.credit_cycle, fresh.credit_limit = "", None
        with pytest.raises(ValidationError) as excinfo:
            fresh.save()
        assert m.PLAN_LOCKED in excinfo.value.message_dict[field]
    plan_in_use.refresh_from_db()
    assert (plan_in_use.plan_type, plan_in_use.credit_cycle, plan_in_use.sla_id) == (
        "ticket_based",
        "monthly",
        plan_in_use.sla_id,
    )


def test_a_plan_in_use_keeps_name_and_limit_editable(plan_in_use):
    plan_in_use.name = "Gold 2"
    plan_in_use.credit_limit = 9
    plan_in_use.full_clean()
    plan_in_use.save()
    plan_in_use.refresh_from_db()
    assert (plan_in_use.name, plan_in_use.credit_limit) == ("Gold 2", 9)


def test_a_plan_without_contracts_can_change_its_terms(plan):
    plan.plan_type, plan.credit_cycle, plan.credit_limit = "unlimited", "", None
    plan.full_clean()
    plan.save()
    assert SupportPlan.objects.get(pk=plan.pk).plan_type == "unlimited"


def test_database_refuses_terms_that_do_not_match_the_type(department, sla):
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportPlan.objects.create(
            department=department, sla=sla, name="X", plan_type="ticket_based", credit_limit=0
        )


def test_terms_text(department, sla):
    assert f.SupportPlanFactory(department=department, sla=sla).terms == "Unlimited"
    plan = f.SupportPlanFactory(department=department, sla=sla, ticket_based=True, credit_limit=20)
    assert plan.terms == "20 tickets / month"
    plan.credit_limit, plan.credit_cycle = 1, "quarterly"
    assert plan.terms == "1 ticket / quarter"


def test_deactivated_plan_is_not_offered_for_new_contracts(administrator, plan):
    assert plan in plans_offered_for_contracts(administrator)
    plan.is_active = False
    plan.save()
    assert plan not in plans_offered_for_contracts(administrator)


def test_deactivated_plan_keeps_serving_its_contracts(plan_in_use):
    plan_in_use.is_active = False
    plan_in_use.save()
    assert plan_in_use.contracts.get().support_plan == plan_in_use
