"""Creating and editing contracts: every rule of SPEC section 6 refuses bad input on its field."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from contracts import credits, services
from contracts.models import ENDS_BEFORE_START, Contract
from tests import factories as f
from tests.conftest import signed_in

from .conftest import edit_data, form_data

pytestmark = pytest.mark.django_db

NEW = "/contracts/new/"


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_new_contract_form_defaults_the_owner_and_lists_active_plans_only(
    admin_client, administrator, department, plan
):
    retired = f.SupportPlanFactory(department=department, name="Retired", is_active=False)
    response = admin_client.get(NEW)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["owner"].value() == administrator.pk
    plans = list(form.fields["support_plan"].queryset)
    assert plan in plans and retired not in plans
    page = response.content.decode()
    assert "Contract expiry notification" in page
    for name in [
        "owner",
        "name",
        "contract_number",
        "product_name",
        "account",
        "start_date",
        "end_date",
        "support_plan",
        "notify_users",
        "notify_days_before",
    ]:
        assert f'name="{name}"' in page, name


def test_quick_action_menu_offers_new_contract(admin_client):
    page = admin_client.get("/tickets/").content.decode()
    assert f'href="{reverse("contracts:contract_create")}"' in page
    assert "New contract" in page


def test_create_saves_the_contract_and_shows_it(admin_client, administrator, account, plan):
    response = admin_client.post(NEW, form_data(account=account, plan=plan, owner=administrator))
    contract = Contract.objects.get(contract_number="K-1")
    assert response.status_code == 302 and response["Location"] == contract.get_absolute_url()
    assert contract.owner == administrator
    assert list(contract.notify_users.all()) == [administrator]
    assert contract.notify_days_before == 30
    assert contract.product_name == "Widgets"
    assert "K-1" in admin_client.get("/contracts/").content.decode()


def test_agent_without_permission_gets_403_also_for_a_forged_post(
    agent_client, agent, account, plan
):
    assert agent_client.get(NEW).status_code == 403
    response = agent_client.post(NEW, form_data(account=account, plan=plan, owner=agent))
    assert response.status_code == 403
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"start_date": "2026-05-01", "end_date": "2026-04-30"},
            "end_date",
            str(ENDS_BEFORE_START),
        ),
        ({"notify_days_before": "-1"}, "notify_days_before", "greater than or equal to 0"),
        ({"notify_users": None}, "notify_users", str(services.NOTICE_NEEDS_USERS)),
        ({"notify_days_before": ""}, "notify_days_before", str(services.NOTICE_NEEDS_DAYS)),
        ({"name": ""}, "name", "required"),
    ],
)
def test_bad_input_is_refused_on_its_field_and_adds_no_row(
    admin_client, administrator, account, plan, overrides, field, message
):
    data = form_data(account=account, plan=plan, owner=administrator, **overrides)
    response = admin_client.post(NEW, data)
    assert response.status_code == 200
    assert any(message in e for e in errors_of(response, field)), response.context["form"].errors
    assert not Contract.objects.exists()


def test_duplicate_contract_number_is_refused(admin_client, administrator, account, plan):
    f.ContractFactory(contract_number="K-1", support_plan=plan)
    response = admin_client.post(NEW, form_data(account=account, plan=plan, owner=administrator))
    assert errors_of(response, "contract_number")
    assert Contract.objects.count() == 1


def test_inactive_plan_is_refused_also_when_forged(
    admin_client, administrator, account, department
):
    retired = f.SupportPlanFactory(department=department, is_active=False)
    response = admin_client.post(NEW, form_data(account=account, plan=retired, owner=administrator))
    assert errors_of(response, "support_plan") == [str(services.PLAN_NOT_ACTIVE)]
    assert not Contract.objects.exists()


def test_plan_of_a_department_without_the_module_is_refused(
    admin_client, administrator, account, other_department
):
    other_department.contracts_enabled = False
    other_department.save()
    hidden = f.SupportPlanFactory(department=other_department)
    response = admin_client.post(NEW, form_data(account=account, plan=hidden, owner=administrator))
    assert errors_of(response, "support_plan")
    assert not Contract.objects.exists()


def test_period_overlapping_a_same_sla_contract_of_the_account_is_refused(
    admin_client, administrator, account, plan, department
):
    today = timezone.localdate()
    existing = f.ContractFactory(
        account=account,
        support_plan=plan,
        start_date=today - datetime.timedelta(days=100),
        end_date=today + datetime.timedelta(days=10),
    )
    same_sla = f.SupportPlanFactory(department=department, sla=plan.sla, name="Same SLA")
    response = admin_client.post(
        NEW, form_data(account=account, plan=same_sla, owner=administrator)
    )
    assert response.status_code == 200
    assert any(existing.contract_number in e for e in errors_of(response, "start_date"))
    assert Contract.objects.count() == 1


def test_overlap_is_allowed_for_another_sla_another_account_or_adjacent_period(
    admin_client, administrator, account, plan, department
):
    today = timezone.localdate()
    f.ContractFactory(
        account=account,
        support_plan=plan,
        start_date=today - datetime.timedelta(days=100),
        end_date=today - datetime.timedelta(days=1),
    )
    other_sla = f.SupportPlanFactory(department=department, name="Other SLA")
    f.ContractFactory(account=account, support_plan=other_sla, start_date=today)
    f.ContractFactory(support_plan=plan, start_date=today)  # another account
    response = admin_client.post(NEW, form_data(account=account, plan=plan, owner=administrator))
    assert response.status_code == 302
    assert Contract.objects.count() == 4


def test_service_refuses_overlap_directly(administrator, account, plan):
    today = timezone.localdate()
    kwargs = {
        "owner": administrator,
        "name": "A",
        "account": account,
        "start_date": today,
        "end_date": today + datetime.timedelta(days=30),
        "support_plan": plan,
    }
    services.contract_create(by=administrator, contract_number="A-1", **kwargs)
    with pytest.raises(services.ValidationError) as error:
        services.contract_create(by=administrator, contract_number="A-2", **kwargs)
    assert "start_date" in error.value.message_dict
    assert Contract.objects.count() == 1


# --- edit ---------------------------------------------------------------------------------


def edit_url(contract):
    return reverse("contracts:contract_edit", args=[contract.pk])


def test_edit_changes_the_contract(admin_client, plan):
    contract = f.ContractFactory(support_plan=plan, name="Old name")
    response = admin_client.post(edit_url(contract), edit_data(contract, name="New name"))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.name == "New name"
    assert contract.history.count() == 2


def test_edit_needs_change_permission_and_visibility(agent_client, plan, other_department):
    contract = f.ContractFactory(support_plan=plan)
    assert agent_client.get(edit_url(contract)).status_code == 403
    response = agent_client.post(edit_url(contract), edit_data(contract, name="Forged"))
    assert response.status_code == 403
    contract.refresh_from_db()
    assert contract.name != "Forged"
    admin = f.AdministratorFactory(username="other-admin", departments=[other_department])
    admin.groups.clear()
    admin.user_permissions.add(*Permission.objects.filter(codename="change_contract"))
    assert signed_in(admin).get(edit_url(contract)).status_code == 404


def test_plan_can_change_only_to_an_active_plan(admin_client, department):
    old = f.SupportPlanFactory(department=department, ticket_based=True, name="Old")
    contract = f.ContractFactory(support_plan=old)
    old.is_active = False
    old.save()
    retired = f.SupportPlanFactory(department=department, is_active=False, name="Retired")
    response = admin_client.post(edit_url(contract), edit_data(contract, support_plan=retired.pk))
    assert errors_of(response, "support_plan") == [str(services.PLAN_NOT_ACTIVE)]
    contract.refresh_from_db()
    assert contract.support_plan == old

    # The current plan stays allowed although deactivated since.
    response = admin_client.post(edit_url(contract), edit_data(contract, name="Renamed"))
    assert response.status_code == 302

    new = f.SupportPlanFactory(department=department, ticket_based=True, name="New")
    response = admin_client.post(edit_url(contract), edit_data(contract, support_plan=new.pk))
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.support_plan == new


@pytest.mark.parametrize(
    "change",
    [
        {"start_date": -1},  # a day earlier: the spends would fall out of every cycle
        {"support_plan": "new"},
        {"account": "other"},
    ],
    ids=["start date", "plan", "account"],
)
def test_history_pins_start_date_plan_and_account(admin_client, administrator, department, change):
    """Issue 13: "used 3 / 20, left 17" became "used 0 / 20, left 20" when the start date moved
    back a day or the plan changed. Once a contract has a credit entry, both are refused."""
    plan = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=20)
    contract = f.ContractFactory(support_plan=plan)
    credits.adjust(by=administrator, contract=contract, delta=-3, reason="Used before import")
    before = credits.summary_for(contract)
    values = {}
    if "start_date" in change:
        values["start_date"] = (contract.start_date - datetime.timedelta(days=1)).isoformat()
    if "support_plan" in change:
        values["support_plan"] = f.SupportPlanFactory(
            department=department, ticket_based=True, credit_limit=20, name="New"
        ).pk
    if "account" in change:
        values["account"] = f.AccountFactory().pk
    response = admin_client.post(edit_url(contract), edit_data(contract, **values))
    field = next(iter(change))
    assert errors_of(response, field) == [str(services.PINNED_BY_HISTORY)]
    stored = Contract.objects.get(pk=contract.pk)
    assert (stored.start_date, stored.support_plan_id, stored.account_id) == (
        contract.start_date,
        contract.support_plan_id,
        contract.account_id,
    )
    assert credits.summary_for(stored) == before


def test_a_ticket_pins_the_plan_too(admin_client, department, agent):
    contract = f.ContractFactory(support_plan=f.SupportPlanFactory(department=department))
    f.TicketFactory(contract=contract, account=contract.account, department=department)
    new = f.SupportPlanFactory(department=department, name="New")
    response = admin_client.post(edit_url(contract), edit_data(contract, support_plan=new.pk))
    assert errors_of(response, "support_plan") == [str(services.PINNED_BY_HISTORY)]
    # What the history does not pin still changes.
    response = admin_client.post(edit_url(contract), edit_data(contract, name="Renamed"))
    assert response.status_code == 302
    assert Contract.objects.get(pk=contract.pk).name == "Renamed"


def test_edit_refuses_overlap_with_another_contract(admin_client, plan, account):
    today = timezone.localdate()
    f.ContractFactory(
        account=account,
        support_plan=plan,
        start_date=today + datetime.timedelta(days=100),
        end_date=today + datetime.timedelta(days=200),
    )
    contract = f.ContractFactory(
        account=account,
        support_plan=plan,
        start_date=today,
        end_date=today + datetime.timedelta(days=50),
    )
    response = admin_client.post(
        edit_url(contract),
        edit_data(contract, end_date=(today + datetime.timedelta(days=150)).isoformat()),
    )
    assert errors_of(response, "start_date")
    contract.refresh_from_db()
    assert contract.end_date == today + datetime.timedelta(days=50)


def test_edit_shows_the_current_values(admin_client, plan):
    contract = f.ContractFactory(support_plan=plan, notify_days_before=None)
    response = admin_client.get(edit_url(contract))
    assert response.status_code == 200
    assert contract.contract_number in response.content.decode()


# --- back office --------------------------------------------------------------------------


def test_admin_refuses_an_overlap_and_an_inactive_plan(administrator, account, plan):
    admin_client = signed_in(f.UserFactory(username="boss", is_staff=True, is_superuser=True))
    today = timezone.localdate()
    f.ContractFactory(account=account, support_plan=plan, start_date=today)
    retired = f.SupportPlanFactory(department=plan.department, is_active=False, name="Old")
    url = reverse("admin:contracts_contract_add")
    data = {
        "owner": administrator.pk,
        "name": "Back office",
        "contract_number": "BO-1",
        "account": account.pk,
        "start_date": today.isoformat(),
        "end_date": (today + datetime.timedelta(days=30)).isoformat(),
        "support_plan": plan.pk,
        "credit_entries-TOTAL_FORMS": "0",
        "credit_entries-INITIAL_FORMS": "0",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "start_date" in response.context["adminform"].form.errors
    response = admin_client.post(url, {**data, "support_plan": retired.pk})
    assert response.context["adminform"].form.errors["support_plan"] == [
        str(services.PLAN_NOT_ACTIVE)
    ]
    assert Contract.objects.count() == 1
