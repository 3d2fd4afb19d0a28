import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from contracts.models import CreditEntry
from plans import forms as plan_forms
from plans import models as m
from plans import services
from plans.models import SupportPlan
from tests import factories as f
from tests.conftest import signed_in
from tests.plans.conftest import plan_data

pytestmark = pytest.mark.django_db

LIST = reverse("plans:plan_list")
CREATE = reverse("plans:plan_create")


def edit_url(plan):
    return reverse("plans:plan_edit", args=[plan.pk])


def field_errors(response, name):
    return [str(e) for e in response.context["form"].errors.get(name, [])]


# --- list -------------------------------------------------------------------------------------


def test_list_shows_terms_sla_contracts_and_state(admin_client, plan_in_use, sla, department):
    f.SupportPlanFactory(department=department, sla=sla, name="Basic", is_active=False)
    page = admin_client.get(LIST).content.decode()
    assert "Gold" in page and "3 tickets / month" in page and "Standard" in page
    assert "Basic" in page and "Unlimited" in page and "Inactive" in page
    assert [p.contract_count for p in admin_client.get(LIST).context["plans"]] == [0, 1]


def test_the_list_counts_contracts_up_to_its_cap_and_the_plan_page_all(
    monkeypatch, admin_client, plan_in_use
):
    from plans import selectors

    for n in range(3):
        f.ContractFactory(
            support_plan=plan_in_use, account=f.AccountFactory(), contract_number=f"C-{n}"
        )
    monkeypatch.setattr(selectors, "LIST_COUNT_CAP", 2)
    response = admin_client.get(LIST)
    assert [p.contract_count for p in response.context["plans"]] == [3]  # two, and one more
    row = response.content.decode().split(plan_in_use.name, 1)[1].split("</tr>", 1)[0]
    assert "<td>2+</td>" in row
    detail = admin_client.get(plan_in_use.get_absolute_url())
    assert detail.context["plan"].contract_count == 4


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ({"plan_type": "unlimited"}, ["Basic", "Other SLA plan"]),
        ({"plan_type": "ticket_based"}, ["Gold"]),
        ({"is_active": "false"}, ["Basic"]),
        ({"is_active": "true"}, ["Gold", "Other SLA plan"]),
        ({}, ["Basic", "Gold", "Other SLA plan"]),
    ],
)
def test_list_filters(admin_client, plan, sla, department, query, names):
    f.SupportPlanFactory(department=department, sla=sla, name="Basic", is_active=False)
    f.SupportPlanFactory(department=department, name="Other SLA plan")
    response = admin_client.get(LIST, query)
    assert sorted(p.name for p in response.context["plans"]) == names


def test_list_filters_by_sla(admin_client, plan, department):
    f.SupportPlanFactory(department=department, name="Other SLA plan")
    response = admin_client.get(LIST, {"sla": plan.sla_id})
    assert [p.name for p in response.context["plans"]] == ["Gold"]


def test_list_survives_nonsense_filters(admin_client, plan):
    response = admin_client.get(LIST, {"sla": "abc", "is_active": "maybe", "plan_type": "x"})
    assert response.status_code == 200


def _populate(department, count):
    sla = f.SLAFactory(department=department)
    for _ in range(count):
        plan = f.SupportPlanFactory(department=department, sla=sla, ticket_based=True)
        f.ContractFactory(support_plan=plan)


def test_list_queries_do_not_grow_with_rows(
    admin_client, department, django_assert_max_num_queries
):
    _populate(department, 3)
    admin_client.get(LIST)  # the session's first page also reads what the session then keeps
    with django_assert_max_num_queries(12) as small:
        admin_client.get(LIST)
    _populate(department, 27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(LIST)
    assert len(response.context["plans"]) == 30


# --- create -----------------------------------------------------------------------------------


def test_create_saves_the_plan_and_shows_it(admin_client, sla):
    response = admin_client.post(CREATE, plan_data(sla))
    plan = SupportPlan.objects.get(name="Silver")
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.terms == "20 tickets / month" and plan.sla == sla
    assert plan.history.get().history_user.username == "admin"


def test_create_an_unlimited_plan(admin_client, sla):
    response = admin_client.post(
        CREATE, plan_data(sla, plan_type="unlimited", credit_cycle=None, credit_limit=None)
    )
    assert response.status_code == 302
    assert SupportPlan.objects.get(name="Silver").terms == "Unlimited"


def test_create_form_offers_only_active_slas_and_preselects_the_only_department(
    manager, department, sla, inactive_sla, other_sla
):
    response = signed_in(manager).get(CREATE)
    form = response.context["form"]
    offered = [pk for _, group in form.fields["sla"].choices[1:] for pk, _label in group]
    assert offered == [sla.pk]
    assert list(form.fields["department"].queryset) == [department]
    assert form["department"].value() == department.pk
    page = response.content.decode()
    assert "data-ticket-based-only" in page and "{% block" not in page
    assert '<script src="/static/js/plan_form.js">' in page and "cdn" not in page.lower()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"credit_cycle": ""}, "credit_cycle", m.TICKET_BASED_NEEDS_CYCLE),
        ({"credit_limit": ""}, "credit_limit", m.TICKET_BASED_NEEDS_LIMIT),
        ({"credit_limit": "0"}, "credit_limit", plan_forms.LIMIT_BELOW_ONE),
        ({"credit_limit": "-4"}, "credit_limit", plan_forms.LIMIT_BELOW_ONE),
        ({"credit_limit": "ten"}, "credit_limit", plan_forms.LIMIT_NOT_WHOLE_NUMBER),
        ({"credit_limit": "2.5"}, "credit_limit", plan_forms.LIMIT_NOT_WHOLE_NUMBER),
        ({"plan_type": "unlimited", "credit_limit": ""}, "credit_cycle", m.UNLIMITED_HAS_NO_CYCLE),
        ({"plan_type": "unlimited", "credit_cycle": ""}, "credit_limit", m.UNLIMITED_HAS_NO_LIMIT),
    ],
)
def test_create_refuses_bad_terms_next_to_the_field(admin_client, sla, overrides, field, message):
    response = admin_client.post(CREATE, plan_data(sla, **overrides))
    assert response.status_code == 200
    assert str(message) in field_errors(response, field)
    assert str(message) in response.content.decode().replace("&#x27;", "'")
    assert not SupportPlan.objects.exists()


def test_create_refuses_an_inactive_sla(admin_client, inactive_sla):
    response = admin_client.post(CREATE, plan_data(inactive_sla))
    assert field_errors(response, "sla") == [str(m.SLA_NOT_ACTIVE)]
    assert not SupportPlan.objects.exists()


def test_create_refuses_another_departments_sla(admin_client, department, other_sla):
    response = admin_client.post(CREATE, plan_data(other_sla, department=department.pk))
    assert field_errors(response, "sla") == [str(m.SLA_OTHER_DEPARTMENT)]
    assert not SupportPlan.objects.exists()


def test_create_refuses_a_department_the_user_is_not_in(
    manager, department, other_department, other_sla
):
    response = signed_in(manager).post(CREATE, plan_data(other_sla))
    assert "department" in response.context["form"].errors
    assert not SupportPlan.objects.exists()


def test_create_refuses_a_duplicate_name(admin_client, plan, sla):
    response = admin_client.post(CREATE, plan_data(sla, name="Gold"))
    assert response.status_code == 200
    assert SupportPlan.objects.count() == 1


# --- edit and the lock ------------------------------------------------------------------------


def test_edit_of_a_plan_in_use_shows_the_locked_fields_disabled(admin_client, plan_in_use):
    response = admin_client.get(edit_url(plan_in_use))
    form = response.context["form"]
    assert all(form.fields[name].disabled for name in ("plan_type", "credit_cycle", "sla"))
    assert not form.fields["name"].disabled and not form.fields["credit_limit"].disabled
    assert str(m.PLAN_LOCKED) in response.content.decode().replace("&#x27;", "'")


def test_edit_of_an_unused_plan_can_change_everything(admin_client, plan, department):
    other = f.SLAFactory(department=department)
    response = admin_client.post(
        edit_url(plan),
        plan_data(
            plan.sla,
            plan_type="unlimited",
            credit_cycle="",
            credit_limit="",
            sla=other.pk,
            name="Gold",
        ),
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.terms, plan.sla) == ("Unlimited", other)


def test_edit_of_a_plan_in_use_changes_name_and_limit(admin_client, plan_in_use):
    response = admin_client.post(edit_url(plan_in_use), {"name": "Gold plus", "credit_limit": "30"})
    assert response.status_code == 302
    plan_in_use.refresh_from_db()
    assert (plan_in_use.name, plan_in_use.terms) == ("Gold plus", "30 tickets / month")


@pytest.mark.parametrize(
    "overrides",
    [
        {"plan_type": "unlimited", "credit_cycle": "", "credit_limit": ""},
        {"credit_cycle": "weekly"},
        {"sla": "other"},
    ],
)
def test_forged_post_changing_a_locked_field_is_refused(
    admin_client, plan_in_use, department, overrides
):
    if overrides.get("sla") == "other":
        overrides = {"sla": f.SLAFactory(department=department).pk}
    field = next(iter(overrides))
    data = plan_data(plan_in_use.sla, **{"name": "Gold", "credit_limit": "3", **overrides})
    response = admin_client.post(edit_url(plan_in_use), data)
    assert response.status_code == 200
    assert str(m.PLAN_LOCKED) in field_errors(response, field)
    plan_in_use.refresh_from_db()
    assert (plan_in_use.plan_type, plan_in_use.credit_cycle, plan_in_use.name) == (
        "ticket_based",
        "monthly",
        "Gold",
    )


def test_forged_post_changing_the_department_is_refused(admin_client, plan, other_department):
    data = plan_data(plan.sla, name="Gold", department=other_department.pk)
    response = admin_client.post(edit_url(plan), data)
    assert field_errors(response, "department") == [str(plan_forms.DEPARTMENT_FIXED)]
    plan.refresh_from_db()
    assert plan.department.name == "Support"


def test_admin_change_page_keeps_the_lock(plan_in_use, department):
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = signed_in(superuser)
    url = reverse("admin:plans_supportplan_change", args=[plan_in_use.pk])
    data = {
        "department": department.pk,
        "name": "Gold",
        "plan_type": "ticket_based",
        "credit_cycle": "weekly",
        "credit_limit": "3",
        "sla": plan_in_use.sla_id,
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert str(m.PLAN_LOCKED) in response.content.decode().replace("&#x27;", "'")
    plan_in_use.refresh_from_db()
    assert plan_in_use.credit_cycle == "monthly"
    # name and limit stay editable in the admin too
    response = client.post(url, {**data, "credit_cycle": "monthly", "credit_limit": "8"})
    assert response.status_code == 302
    plan_in_use.refresh_from_db()
    assert plan_in_use.credit_limit == 8


def test_admin_cannot_delete_a_plan_in_use(plan_in_use):
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    url = reverse("admin:plans_supportplan_delete", args=[plan_in_use.pk])
    response = signed_in(superuser).post(url, {"post": "yes"})
    assert response.status_code == 200
    assert SupportPlan.objects.filter(pk=plan_in_use.pk).exists()


# --- activate, delete -------------------------------------------------------------------------


def test_deactivate_and_reactivate(admin_client, plan_in_use):
    url = reverse("plans:plan_set_active", args=[plan_in_use.pk])
    assert admin_client.post(url, {"is_active": "false"}).status_code == 302
    plan_in_use.refresh_from_db()
    assert not plan_in_use.is_active and plan_in_use.contracts.count() == 1
    admin_client.post(url, {"is_active": "true"})
    plan_in_use.refresh_from_db()
    assert plan_in_use.is_active


def test_delete_an_unused_plan(admin_client, plan):
    url = reverse("plans:plan_delete", args=[plan.pk])
    assert "Delete" in admin_client.get(url).content.decode()
    response = admin_client.post(url)
    assert response["Location"] == LIST
    assert not SupportPlan.objects.exists()


def test_delete_of_a_plan_in_use_is_refused_and_offers_deactivation(admin_client, plan_in_use):
    url = reverse("plans:plan_delete", args=[plan_in_use.pk])
    page = admin_client.get(url).content.decode()
    assert "cannot be deleted" in page
    assert reverse("plans:plan_set_active", args=[plan_in_use.pk]) in page
    response = admin_client.post(url, follow=True)
    assert str(services.PLAN_IN_USE_NO_DELETE) in [str(msg) for msg in response.context["messages"]]
    assert SupportPlan.objects.filter(pk=plan_in_use.pk).exists()


# --- permissions and scope --------------------------------------------------------------------


def test_agents_get_403_everywhere_and_change_nothing(agent_client, plan, sla):
    before = list(SupportPlan.objects.values())
    requests = [
        ("get", LIST, None),
        ("get", CREATE, None),
        ("post", CREATE, plan_data(sla)),
        ("get", plan.get_absolute_url(), None),
        ("get", edit_url(plan), None),
        ("post", edit_url(plan), plan_data(sla, name="Hacked")),
        ("post", reverse("plans:plan_set_active", args=[plan.pk]), {"is_active": "false"}),
        ("post", reverse("plans:plan_delete", args=[plan.pk]), {}),
    ]
    for method, url, data in requests:
        assert getattr(agent_client, method)(url, data or {}).status_code == 403, url
    assert list(SupportPlan.objects.values()) == before


def test_a_plan_of_another_department_answers_404(manager, other_department, department):
    foreign = f.SupportPlanFactory(department=other_department)
    client = signed_in(manager)
    assert client.get(foreign.get_absolute_url()).status_code == 404
    assert client.post(reverse("plans:plan_delete", args=[foreign.pk])).status_code == 404
    assert SupportPlan.objects.filter(pk=foreign.pk).exists()


# --- overview ---------------------------------------------------------------------------------


def _spend(contract, when):
    ticket = f.TicketFactory(account=contract.account, department=contract.support_plan.department)
    CreditEntry.objects.create(
        contract=contract, ticket=ticket, ticket_seq=0, kind="spend", delta=-1, created_at=when
    )


def test_overview_shows_terms_contracts_usage_and_history(admin_client, plan_in_use):
    contract = plan_in_use.contracts.get()
    today = timezone.localdate()
    now = timezone.now()
    _spend(contract, now)
    _spend(contract, now)
    admin_client.post(edit_url(plan_in_use), {"name": "Gold plus", "credit_limit": "5"})
    response = admin_client.get(plan_in_use.get_absolute_url())
    page = response.content.decode()
    assert "5 tickets / month" in page and "Standard" in page
    assert contract.contract_number in page and contract.start_date.isoformat() in page
    assert 'role="img"' in page and "<svg" in page and "aria-label=" in page
    usage = response.context["usage"]
    assert usage.total == 2 and usage.periods[-1].used == 2
    assert usage.periods[-1].start == today.replace(day=1) and len(usage.periods) == 12
    history = response.context["history"]
    assert history[0].record.history_user.username == "admin"
    assert {(c.label, c.old, c.new) for c in history[0].changes} == {
        ("plan name", "Gold", "Gold plus"),
        ("credit limit", "3", "5"),
    }
    assert "Gold → Gold plus" in page


def test_overview_usage_range_and_grouping(admin_client, plan_in_use):
    contract = plan_in_use.contracts.get()
    _spend(contract, timezone.make_aware(datetime.datetime(2025, 2, 10, 12)))
    _spend(contract, timezone.make_aware(datetime.datetime(2025, 5, 10, 12)))
    response = admin_client.get(
        plan_in_use.get_absolute_url(),
        {"start": "2025-01-01", "end": "2025-12-31", "group": "quarter"},
    )
    usage = response.context["usage"]
    assert [(p.start.month, p.used) for p in usage.periods] == [(1, 1), (4, 1), (7, 0), (10, 0)]
    page = response.content.decode()
    assert "2025 Q1" in page and "2025 Q4" in page


def test_overview_refuses_a_backwards_range_and_shows_the_default(admin_client, plan):
    response = admin_client.get(
        plan.get_absolute_url(), {"start": "2025-12-31", "end": "2025-01-01", "group": "week"}
    )
    assert response.status_code == 200
    assert "end" in response.context["usage_form"].errors
    assert len(response.context["usage"].periods) == 12
    bad = admin_client.get(plan.get_absolute_url(), {"start": "nonsense", "group": "decade"})
    assert bad.status_code == 200 and bad.context["usage_form"].errors


def _populate_plan(plan, count):
    for _ in range(count):
        contract = f.ContractFactory(support_plan=plan)
        _spend(contract, timezone.now())
        plan.name = f"{plan.name}+"
        plan.save()


def test_overview_queries_do_not_grow_with_rows(admin_client, plan, django_assert_max_num_queries):
    _populate_plan(plan, 3)
    with django_assert_max_num_queries(15) as small:
        admin_client.get(plan.get_absolute_url())
    _populate_plan(plan, 27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(plan.get_absolute_url())
    assert len(response.context["contracts"]) == 30 and response.context["usage"].total == 30
    assert len(response.context["history"]) == 31


def test_overview_lists_the_newest_contracts_and_links_to_all(admin_client, department):
    from contracts.selectors import CONTRACTS_SHOWN

    plan = f.SupportPlanFactory(department=department)
    f.ContractFactory.create_batch(CONTRACTS_SHOWN + 2, support_plan=plan)
    html = admin_client.get(plan.get_absolute_url()).content.decode()
    assert html.count('href="/contracts/') - html.count('href="/contracts/?') >= CONTRACTS_SHOWN
    assert f"The newest {CONTRACTS_SHOWN} of {CONTRACTS_SHOWN + 2} contracts are shown." in html
    assert f"/contracts/?support_plan={plan.pk}" in html
