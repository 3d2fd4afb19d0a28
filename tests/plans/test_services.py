import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from contracts import selectors as contract_selectors
from contracts.models import CreditEntry
from plans import models as m
from plans import selectors, services
from plans.models import SupportPlan
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_plan_create_saves_a_ticket_based_plan(department, sla):
    plan = services.plan_create(
        by=f.desk_admin(),
        department=department,
        name=" Silver ",
        plan_type="ticket_based",
        credit_cycle="weekly",
        credit_limit=5,
        sla=sla,
    )
    assert (plan.name, plan.terms) == ("Silver", "5 tickets / week")


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"plan_type": "ticket_based", "credit_limit": 5},
            "credit_cycle",
            m.TICKET_BASED_NEEDS_CYCLE,
        ),
        (
            {"plan_type": "ticket_based", "credit_cycle": "weekly"},
            "credit_limit",
            m.TICKET_BASED_NEEDS_LIMIT,
        ),
        (
            {"plan_type": "unlimited", "credit_cycle": "weekly"},
            "credit_cycle",
            m.UNLIMITED_HAS_NO_CYCLE,
        ),
        ({"plan_type": "unlimited", "credit_limit": 3}, "credit_limit", m.UNLIMITED_HAS_NO_LIMIT),
    ],
)
def test_plan_create_refuses_terms_that_do_not_match(department, sla, kwargs, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_create(by=f.desk_admin(), department=department, name="X", sla=sla, **kwargs)
    assert message in excinfo.value.message_dict[field]
    assert not SupportPlan.objects.exists()


def test_plan_create_refuses_inactive_and_foreign_slas(department, inactive_sla, other_sla):
    for sla, message in [(inactive_sla, m.SLA_NOT_ACTIVE), (other_sla, m.SLA_OTHER_DEPARTMENT)]:
        with pytest.raises(ValidationError) as excinfo:
            services.plan_create(
                by=f.desk_admin(), department=department, name="X", plan_type="unlimited", sla=sla
            )
        assert message in excinfo.value.message_dict["sla"]
    assert not SupportPlan.objects.exists()


def test_plan_update_refuses_locked_changes(plan_in_use, department):
    other = f.SLAFactory(department=department)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_update(
            by=f.desk_admin(),
            plan=plan_in_use,
            name="Gold",
            plan_type="ticket_based",
            credit_cycle="weekly",
            credit_limit=3,
            sla=other,
        )
    assert m.PLAN_LOCKED in excinfo.value.message_dict["credit_cycle"]
    assert m.PLAN_LOCKED in excinfo.value.message_dict["sla"]
    plan_in_use.refresh_from_db()
    assert plan_in_use.credit_cycle == "monthly"


def test_plan_update_changes_name_and_limit_of_a_plan_in_use(plan_in_use):
    services.plan_update(
        by=f.desk_admin(),
        plan=plan_in_use,
        name="Gold plus",
        plan_type="ticket_based",
        credit_cycle="monthly",
        credit_limit=40,
        sla=plan_in_use.sla,
    )
    plan_in_use.refresh_from_db()
    assert (plan_in_use.name, plan_in_use.credit_limit) == ("Gold plus", 40)


def test_plan_set_active_round_trip(plan):
    assert (
        services.plan_set_active(by=f.desk_admin(), plan=plan, is_active=False).is_active is False
    )
    assert services.plan_set_active(by=f.desk_admin(), plan=plan, is_active=True).is_active is True


def test_plan_delete_removes_an_unused_plan(plan):
    services.plan_delete(by=f.desk_admin(), plan=plan)
    assert not SupportPlan.objects.filter(pk=plan.pk).exists()


def test_plan_delete_refuses_a_plan_in_use(plan_in_use):
    with pytest.raises(ValidationError) as excinfo:
        services.plan_delete(by=f.desk_admin(), plan=plan_in_use)
    assert excinfo.value.messages == [str(services.PLAN_IN_USE_NO_DELETE)]
    assert SupportPlan.objects.filter(pk=plan_in_use.pk).exists()


def test_plan_delete_turns_a_protected_error_into_the_refusal(plan, monkeypatch):
    """A contract created between the check and the delete still blocks it."""
    f.ContractFactory(support_plan=plan)
    monkeypatch.setattr(SupportPlan, "is_in_use", lambda self: False)
    with pytest.raises(ValidationError) as excinfo:
        services.plan_delete(by=f.desk_admin(), plan=plan)
    assert excinfo.value.messages == [str(services.PLAN_IN_USE_NO_DELETE)]
    assert SupportPlan.objects.filter(pk=plan.pk).exists()


# --- usage ------------------------------------------------------------------------------------


def _at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def ledger(contract, department, *, spent_on=(), refunded_on=(), adjusted_on=()):
    """Spend (and refund) one credit per date for a fresh ticket of ``contract``."""
    for day in spent_on:
        ticket = f.TicketFactory(account=contract.account, department=department)
        CreditEntry.objects.create(
            contract=contract,
            ticket=ticket,
            ticket_seq=0,
            kind="spend",
            delta=-1,
            created_at=_at(day),
        )
        if day in refunded_on:
            CreditEntry.objects.create(
                contract=contract,
                ticket=ticket,
                ticket_seq=1,
                kind="refund",
                delta=1,
                created_at=_at(day, 13),
            )
    for day in adjusted_on:
        CreditEntry.objects.create(
            contract=contract, kind="adjustment", delta=5, reason="goodwill", created_at=_at(day)
        )


def test_usage_is_spends_less_refunds_per_group(plan_in_use, department):
    contract = plan_in_use.contracts.get()
    other_plan_contract = f.ContractFactory(
        support_plan=f.SupportPlanFactory(department=department, sla=plan_in_use.sla)
    )
    d = datetime.date
    ledger(
        contract,
        department,
        spent_on=[d(2026, 1, 5), d(2026, 1, 20), d(2026, 2, 3), d(2026, 4, 1), d(2026, 4, 2)],
        refunded_on=[d(2026, 4, 2)],
        adjusted_on=[d(2026, 1, 6)],
    )
    ledger(other_plan_contract, department, spent_on=[d(2026, 1, 7)])
    ledger(contract, department, spent_on=[d(2025, 12, 31), d(2026, 7, 1)])  # outside the range

    def usage(grouping):
        result = contract_selectors.plan_credit_usage(
            plan=plan_in_use, start=d(2026, 1, 1), end=d(2026, 6, 30), grouping=grouping
        )
        return {p.start: p.used for p in result.periods if p.used}, result

    by_month, result = usage("month")
    assert by_month == {d(2026, 1, 1): 2, d(2026, 2, 1): 1, d(2026, 4, 1): 1}
    assert [p.start for p in result.periods] == [d(2026, n, 1) for n in range(1, 7)]
    assert result.total == 4
    assert usage("quarter")[0] == {d(2026, 1, 1): 3, d(2026, 4, 1): 1}
    assert usage("year")[0] == {d(2026, 1, 1): 4}
    by_week, result = usage("week")
    assert by_week == {d(2026, 1, 5): 1, d(2026, 1, 19): 1, d(2026, 2, 2): 1, d(2026, 3, 30): 1}
    assert result.periods[0].start == d(2025, 12, 29)  # the Monday of the week of 1 January


def test_usage_is_one_query(plan_in_use, django_assert_num_queries):
    with django_assert_num_queries(1):
        contract_selectors.plan_credit_usage(
            plan=plan_in_use,
            start=datetime.date(2026, 1, 1),
            end=datetime.date(2026, 12, 31),
            grouping="week",
        )


def test_default_usage_range_is_the_last_12_months():
    assert contract_selectors.default_usage_range(datetime.date(2026, 11, 26)) == (
        datetime.date(2025, 12, 1),
        datetime.date(2026, 11, 26),
    )


# --- history ----------------------------------------------------------------------------------


def test_history_says_who_changed_what(plan, administrator, django_assert_num_queries):
    plan.name = "Gold plus"
    plan.credit_limit = 7
    plan._history_user = administrator
    plan.save()
    with django_assert_num_queries(1):
        entries = selectors.plan_history(plan)
    assert [e.record.history_type for e in entries] == ["~", "+"]
    assert entries[0].record.history_user == administrator
    changes = {(c.label, c.old, c.new) for c in entries[0].changes}
    assert changes == {("plan name", "Gold", "Gold plus"), ("credit limit", "3", "7")}


def test_history_names_the_old_and_new_sla_and_choice_labels(plan, department):
    other = f.SLAFactory(department=department, name="Premium")
    services.plan_update(
        by=f.desk_admin(),
        plan=plan,
        name="Gold",
        plan_type="unlimited",
        credit_cycle="",
        credit_limit=None,
        sla=other,
    )
    changes = {(c.label, c.old, c.new) for c in selectors.plan_history(plan)[0].changes}
    assert changes == {
        ("plan type", "Ticket-based", "Unlimited"),
        ("credit cycle", "Monthly", "—"),
        ("credit limit", "3", "—"),
        ("SLA", "Standard", "Premium"),
    }
