"""Contracts as the article shows them: renewals, what history pins down, balances in words, the
plan's SLA on the contract page, and the Contracts pages where the module is off (SPEC 4, 6)."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts import credits, selectors, services
from contracts.models import Contract, CreditEntry
from desk.choices import Priority, Status
from desk.models import Department
from sla.models import SLA, WorkingPeriod
from tests import factories as f
from tests.conftest import signed_in
from tickets.services import ticket_update

from .conftest import edit_data, form_data

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def renew_url(contract):
    return reverse("contracts:contract_renew", args=[contract.pk])


def edit_url(contract):
    return reverse("contracts:contract_edit", args=[contract.pk])


@pytest.fixture
def old(plan, account, administrator):
    start = timezone.localdate() - datetime.timedelta(days=100)
    contract = f.ContractFactory(
        support_plan=plan,
        account=account,
        owner=administrator,
        product_name="Widgets",
        start_date=start,
        end_date=start + datetime.timedelta(days=149),
        notify_days_before=10,
    )
    contract.notify_users.set([administrator])
    return contract


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


# --- renew ----------------------------------------------------------------------------------


def test_renew_form_is_filled_in_from_the_contract(admin_client, old, plan, account, administrator):
    form = admin_client.get(renew_url(old)).context["form"]
    assert form["account"].value() == account.pk
    assert form["owner"].value() == administrator.pk
    assert form["product_name"].value() == "Widgets"
    assert form["support_plan"].value() == plan.pk
    assert form["start_date"].value() == old.end_date + DAY
    # The same length: 150 days, from the day after the old end.
    assert form["end_date"].value() == old.end_date + datetime.timedelta(days=150)
    assert list(form["notify_users"].value()) == [administrator.pk]
    assert form["notify_days_before"].value() == 10
    assert form.fields["account"].disabled


def test_a_period_of_whole_months_renews_for_as_many_months():
    year = Contract(start_date=datetime.date(2027, 1, 1), end_date=datetime.date(2027, 12, 31))
    assert services.renewal_period(year) == (datetime.date(2028, 1, 1), datetime.date(2028, 12, 31))
    quarter = Contract(start_date=datetime.date(2026, 1, 15), end_date=datetime.date(2026, 4, 14))
    assert services.renewal_period(quarter) == (
        datetime.date(2026, 4, 15),
        datetime.date(2026, 7, 14),
    )
    days = Contract(start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 1, 10))
    assert services.renewal_period(days) == (datetime.date(2026, 1, 11), datetime.date(2026, 1, 20))


def test_renewing_links_both_pages(admin_client, old):
    assert f'href="{renew_url(old)}"' in page(admin_client, old.get_absolute_url())
    data = {**admin_client.get(renew_url(old)).context["form"].initial, "contract_number": "K-2"}
    post = {
        "owner": data["owner"].pk,
        "name": data["name"],
        "contract_number": "K-2",
        "product_name": data["product_name"],
        "account": data["account"].pk,
        "start_date": data["start_date"].isoformat(),
        "end_date": data["end_date"].isoformat(),
        "support_plan": data["support_plan"].pk,
        "notify_users": [user.pk for user in data["notify_users"]],
        "notify_days_before": data["notify_days_before"],
    }
    response = admin_client.post(renew_url(old), post)
    new = Contract.objects.get(contract_number="K-2")
    assert response.status_code == 302 and response.url == new.get_absolute_url()
    assert new.renews == old
    assert new.start_date == old.end_date + DAY
    old_page = page(admin_client, old.get_absolute_url())
    assert 'id="contract-renewed-by"' in old_page and f'href="{new.get_absolute_url()}"' in old_page
    assert f'href="{renew_url(old)}"' not in old_page  # renewed: no second Renew button
    new_page = page(admin_client, new.get_absolute_url())
    assert 'id="contract-renews"' in new_page and f'href="{old.get_absolute_url()}"' in new_page


def test_an_open_ended_contract_cannot_be_renewed(admin_client, plan, account, administrator):
    open_ended = f.ContractFactory(support_plan=plan, account=account, end_date=None)
    html = page(admin_client, open_ended.get_absolute_url())
    assert f'href="{renew_url(open_ended)}"' not in html
    response = admin_client.get(renew_url(open_ended))
    assert response.status_code == 302 and response.url == open_ended.get_absolute_url()
    with pytest.raises(ValidationError) as refused:
        services.contract_renew(by=administrator, contract=open_ended, contract_number="K-2")
    assert refused.value.messages == [str(services.RENEW_NEEDS_END_DATE)]
    assert not Contract.objects.filter(contract_number="K-2").exists()


def test_a_contract_is_renewed_once(old, administrator):
    first = services.contract_renew(by=administrator, contract=old, contract_number="K-2")
    assert first.renews == old and first.owner == administrator
    assert list(first.notify_users.all()) == [administrator]
    with pytest.raises(ValidationError) as refused:
        services.contract_renew(by=administrator, contract=old, contract_number="K-3")
    assert refused.value.messages == [str(services.RENEW_ALREADY_RENEWED) % {"contract": first}]
    assert not Contract.objects.filter(contract_number="K-3").exists()


def test_a_renewal_must_not_overlap_a_same_sla_contract(old, plan, account, administrator):
    clash = f.ContractFactory(
        support_plan=plan,
        account=account,
        start_date=old.end_date + datetime.timedelta(days=20),
        end_date=old.end_date + datetime.timedelta(days=40),
    )
    with pytest.raises(ValidationError) as refused:
        services.contract_renew(by=administrator, contract=old, contract_number="K-2")
    assert refused.value.message_dict["start_date"] == [
        str(services.PERIOD_OVERLAPS) % {"contract": clash}
    ]


def test_a_renewal_needs_an_active_plan(admin_client, old, plan, administrator):
    plan.is_active = False
    plan.save()
    assert admin_client.get(renew_url(old)).context["form"]["support_plan"].value() is None
    with pytest.raises(ValidationError) as refused:
        services.contract_renew(
            by=administrator, contract=old, contract_number="K-2", support_plan=plan
        )
    assert refused.value.message_dict["support_plan"] == [str(services.PLAN_NOT_ACTIVE)]


def test_a_renewal_stays_with_the_account(admin_client, old, administrator):
    other = f.AccountFactory()
    with pytest.raises(ValidationError) as refused:
        services.contract_renew(
            by=administrator, contract=old, contract_number="K-2", account=other
        )
    assert refused.value.message_dict["account"] == [str(services.RENEW_SAME_ACCOUNT)]
    form = admin_client.get(renew_url(old)).context["form"]
    post = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    post.update(
        contract_number="K-2",
        account=other.pk,
        start_date=post["start_date"].isoformat(),
        end_date=post["end_date"].isoformat(),
    )
    response = admin_client.post(renew_url(old), post)
    assert response.status_code == 200
    assert response.context["form"].errors["account"] == [str(services.RENEW_SAME_ACCOUNT)]
    assert not Contract.objects.filter(contract_number="K-2").exists()


def test_renewing_needs_the_add_permission(old, department):
    agent = f.AgentFactory(username="viewer", departments=[department])
    agent.user_permissions.remove(*Permission.objects.filter(codename="add_contract"))
    agent.groups.clear()
    client = signed_in(agent)
    assert f'href="{renew_url(old)}"' not in page(client, old.get_absolute_url())
    assert client.get(renew_url(old)).status_code == 403
    assert client.post(renew_url(old), {"contract_number": "K-2"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.contract_renew(by=agent, contract=old, contract_number="K-2")


def test_renewing_stops_at_the_department_wall(old, other_department):
    outsider = f.AgentFactory(username="outsider", departments=[other_department])
    outsider.user_permissions.add(*Permission.objects.filter(codename="add_contract"))
    with pytest.raises(PermissionDenied):
        services.contract_renew(by=outsider, contract=old, contract_number="K-2")
    assert signed_in(outsider).get(renew_url(old)).status_code == 404


# --- what a contract's history pins down ----------------------------------------------------


def resolved_ticket(contract, department):
    ticket = f.TicketFactory(
        account=contract.account,
        contact=f.ContactFactory(account=contract.account),
        department=department,
        contract=contract,
        sla=contract.support_plan.sla,
    )
    ticket_update(by=f.desk_admin(), ticket=ticket, status=Status.RESOLVED)
    return ticket


def test_pinned_fields_are_disabled_with_the_reason(admin_client, old, department):
    form = admin_client.get(edit_url(old)).context["form"]
    assert not any(form.fields[name].disabled for name in services.PINNED_FIELDS)
    resolved_ticket(old, department)
    response = admin_client.get(edit_url(old))
    form = response.context["form"]
    for name in services.PINNED_FIELDS:
        assert form.fields[name].disabled, name
        assert form.fields[name].help_text == services.PINNED_BY_HISTORY
    assert str(services.PINNED_BY_HISTORY) in response.content.decode()
    assert not form.fields["name"].disabled and not form.fields["end_date"].disabled


@pytest.mark.parametrize("name", services.PINNED_FIELDS)
def test_a_forged_post_of_a_pinned_field_is_refused(admin_client, old, department, plan, name):
    resolved_ticket(old, department)
    forged = {
        "start_date": (old.start_date + DAY).isoformat(),
        "support_plan": f.SupportPlanFactory(department=department, sla=plan.sla).pk,
        "account": f.AccountFactory().pk,
    }[name]
    response = admin_client.post(edit_url(old), edit_data(old, name="Renamed", **{name: forged}))
    assert response.status_code == 200
    assert response.context["form"].errors[name] == [str(services.PINNED_BY_HISTORY)]
    stored = Contract.objects.get(pk=old.pk)
    assert stored.name == old.name
    assert (stored.start_date, stored.support_plan_id, stored.account_id) == (
        old.start_date,
        old.support_plan_id,
        old.account_id,
    )


def test_the_unpinned_fields_still_change(admin_client, old, department):
    resolved_ticket(old, department)
    post = edit_data(old, name="Renamed")
    del post["start_date"]  # a disabled field is not posted by the browser
    response = admin_client.post(edit_url(old), post)
    assert response.status_code == 302
    assert Contract.objects.get(pk=old.pk).name == "Renamed"


# --- balances in words ----------------------------------------------------------------------


@pytest.fixture
def over_the_limit(department, account):
    """A one-credit contract with two tickets opened while the credit was left, both resolved."""
    plan = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=1)
    contract = f.ContractFactory(support_plan=plan, account=account)
    tickets = [
        f.TicketFactory(
            account=account,
            contact=f.ContactFactory(account=account),
            department=department,
            contract=contract,
            sla=plan.sla,
        )
        for _ in range(2)
    ]
    for ticket in tickets:
        ticket_update(by=f.desk_admin(), ticket=ticket, status=Status.RESOLVED)
    assert credits.summary_for(contract).left == -1
    return contract, tickets


def test_a_balance_below_zero_shows_in_words(admin_client, over_the_limit):
    contract, tickets = over_the_limit
    for url in (f"{contract.get_absolute_url()}?tab=plan", tickets[0].get_absolute_url()):
        html = page(admin_client, url)
        words = '<data class="credits-left credits-over" value="-1">Over the limit by 1</data>'
        assert words in html
        assert str(credits.OVER_LIMIT_WHY) in html


def test_a_balance_not_below_zero_shows_the_number(admin_client, department, account):
    plan = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=3)
    contract = f.ContractFactory(support_plan=plan, account=account)
    html = page(admin_client, contract.get_absolute_url())
    assert '<data class="credits-left" value="3">3</data>' in html
    assert "Over the limit" not in html and str(credits.OVER_LIMIT_WHY) not in html


def test_ledger_deltas_are_always_signed(admin_client, over_the_limit, administrator):
    contract, tickets = over_the_limit
    credits.adjust(by=administrator, contract=contract, delta=1, reason="Goodwill")
    html = page(admin_client, contract.get_absolute_url())
    assert '<td class="credit-delta">\u22121</td>' in html
    assert '<td class="credit-delta">+1</td>' in html
    assert '<td class="credit-delta">-1</td>' not in html


# --- adjustments larger than the plan's credits ---------------------------------------------


def adjust_url(contract):
    return reverse("contracts:contract_adjust_credits", args=[contract.pk])


@pytest.fixture
def three_credits(department, account):
    plan = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=3)
    return f.ContractFactory(support_plan=plan, account=account)


def adjustments(contract):
    return list(
        CreditEntry.objects.filter(contract=contract, kind=CreditEntry.Kind.ADJUSTMENT).values_list(
            "delta", flat=True
        )
    )


@pytest.mark.parametrize("delta", [4, -4])
def test_an_adjustment_beyond_the_limit_asks_for_confirmation(admin_client, three_credits, delta):
    response = admin_client.post(adjust_url(three_credits), {"delta": delta, "reason": "Migration"})
    assert response.status_code == 200
    assert adjustments(three_credits) == []
    form = response.context["adjust_form"]
    assert form.errors["confirm"] == [
        str(credits.ADJUSTMENT_NEEDS_CONFIRMATION) % {"delta": 4, "limit": 3}
    ]
    assert 'name="confirm"' in response.content.decode()

    response = admin_client.post(
        adjust_url(three_credits), {"delta": delta, "reason": "Migration", "confirm": "on"}
    )
    assert response.status_code == 302
    assert adjustments(three_credits) == [delta]


def test_an_adjustment_within_the_limit_needs_no_confirmation(admin_client, three_credits):
    assert 'name="confirm"' not in page(admin_client, three_credits.get_absolute_url())
    response = admin_client.post(adjust_url(three_credits), {"delta": 3, "reason": "Goodwill"})
    assert response.status_code == 302
    assert adjustments(three_credits) == [3]


# --- the plan's SLA on the contract page ----------------------------------------------------


def weekly_sla(department, *, targets, periods):
    sla = f.SLAFactory(
        department=department,
        business_hours=SLA.BusinessHours.WEEKLY,
        time_zone="Europe/Paris",
        targets=targets,
    )
    WorkingPeriod.objects.bulk_create(
        WorkingPeriod(
            sla=sla,
            weekday=day % 7,
            start_time=datetime.time(8 + day // 7),
            end_time=datetime.time(9 + day // 7),
        )
        for day in range(periods)
    )
    return sla


def test_the_support_plan_tab_shows_the_sla_targets_and_hours(admin_client, department, account):
    sla = weekly_sla(department, targets=f.DEFAULT_TARGETS, periods=2)
    plan = f.SupportPlanFactory(department=department, sla=sla)
    contract = f.ContractFactory(support_plan=plan, account=account)
    html = page(admin_client, contract.get_absolute_url())
    targets = html.split('id="plan-sla-targets"')[1].split("</table>")[0]
    assert "<td>High</td><td>1 h</td><td>8 h</td>" in targets
    assert "<td>Low</td><td>8 h</td><td>120 h</td>" in targets  # business hours, never days
    order = [targets.index(f"<td>{label}</td>") for label in ("Urgent", "High", "Medium", "Low")]
    assert order == sorted(order)
    hours = html.split('id="plan-sla-hours"')[1].split("</dl>")[0]
    assert "Europe/Paris" in hours
    assert "<li>Monday 08:00–09:00</li><li>Tuesday 08:00–09:00</li>" in hours

    always = f.SupportPlanFactory(department=department)  # a 24 × 7 SLA
    contract = f.ContractFactory(support_plan=always, account=f.AccountFactory())
    hours = page(admin_client, contract.get_absolute_url()).split('id="plan-sla-hours"')[1]
    assert "24 × 7" in hours.split("</dl>")[0] and "plan-sla-schedule" not in hours


def test_the_contract_selector_reads_the_sla_with_the_contract(administrator, department):
    sla = weekly_sla(department, targets=f.DEFAULT_TARGETS, periods=3)
    contract = f.ContractFactory(support_plan=f.SupportPlanFactory(department=department, sla=sla))
    found = selectors.contract_detail_queryset(administrator).get(pk=contract.pk)
    with CaptureQueriesContext(connection) as captured:
        assert len(found.support_plan.sla.targets.all()) == 4
        assert len(found.support_plan.sla.working_periods.all()) == 3
    assert captured.captured_queries == []


def count_page_queries(client, url) -> int:
    page(client, url)  # warm up: session, content types
    with CaptureQueriesContext(connection) as captured:
        page(client, url)
    return len(captured.captured_queries)


def test_the_contract_page_reads_the_sla_in_a_fixed_number_of_queries(admin_client, department):
    counts = []
    for targets, periods in (({Priority.HIGH: (60, 120)}, 1), (f.DEFAULT_TARGETS, 14)):
        sla = weekly_sla(department, targets=targets, periods=periods)
        plan = f.SupportPlanFactory(department=department, sla=sla, ticket_based=True)
        contract = f.ContractFactory(support_plan=plan, account=f.AccountFactory())
        counts.append(count_page_queries(admin_client, contract.get_absolute_url()))
    assert counts[0] == counts[1], counts


# --- the module switched off everywhere -----------------------------------------------------


def test_with_the_module_off_everywhere_the_list_says_so(admin_client, other_department):
    Department.objects.update(contracts_enabled=False)
    html = page(admin_client, reverse("contracts:contract_list"))
    notice = html.split('id="contracts-module-off"')[1].split("</div>")[0]
    assert f'href="{reverse("desk:modules")}"' in notice
    assert "New contract" not in html
    assert admin_client.get(reverse("contracts:contract_create")).status_code == 404


def test_with_the_module_on_somewhere_the_pages_are_there(
    admin_client, department, other_department
):
    Department.objects.filter(pk=department.pk).update(contracts_enabled=False)
    html = page(admin_client, reverse("contracts:contract_list"))
    assert 'id="contracts-module-off"' not in html
    assert "New contract" in html
    assert admin_client.get(reverse("contracts:contract_create")).status_code == 200


def test_an_agent_sees_the_notice_without_the_settings_link(department):
    Department.objects.update(contracts_enabled=False)
    agent = f.AgentFactory(username="worker", departments=[department])
    html = page(signed_in(agent), reverse("contracts:contract_list"))
    assert 'id="contracts-module-off"' in html
    assert reverse("desk:modules") not in html


def test_the_renewal_form_needs_the_module(admin_client, old):
    Department.objects.update(contracts_enabled=False)
    assert admin_client.get(renew_url(old)).status_code == 404


def test_form_data_helper_still_posts_a_new_contract(admin_client, plan, account, administrator):
    # The create page keeps working with the module on (guards the module switch).
    response = admin_client.post(
        reverse("contracts:contract_create"),
        form_data(account=account, plan=plan, owner=administrator),
    )
    assert response.status_code == 302
