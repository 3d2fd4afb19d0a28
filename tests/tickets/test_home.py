"""The home page: the signed-in user's figures, each one query, each linking to its list."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts import credits
from contracts.models import Contract
from desk.choices import Status
from tests import factories as f
from tests.conftest import signed_in
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def figures(client):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def ticket(department, *, assignee=None, status=Status.OPEN, due_in=None, sla=None):
    made = f.TicketFactory(department=department, assignee=assignee, status=status, sla=sla)
    if due_in is not None:
        due = timezone.now() + due_in
        Ticket.objects.filter(pk=made.pk).update(resolution_due_at=due, response_due_at=due)
    return made


@pytest.fixture
def desk(department, other_department, agent):
    sla = f.SLAFactory(department=department)
    hour = datetime.timedelta(hours=1)
    ticket(department, assignee=agent)
    ticket(department, assignee=agent, sla=sla, due_in=-hour)  # mine and overdue
    ticket(department, assignee=agent, status=Status.RESOLVED)  # resolved: not counted
    ticket(department, sla=sla, due_in=datetime.timedelta(minutes=20))  # due soon
    ticket(department, sla=sla, due_in=3 * hour)  # on track
    other_sla = f.SLAFactory(department=other_department)
    ticket(other_department, assignee=agent, sla=other_sla, due_in=-hour)  # not the agent's
    return sla


def test_the_root_is_the_home_page_and_the_top_bar_links_it(agent_client, desk):
    response = figures(agent_client)
    assert response.templates[0].name == "tickets/home.html"
    assert f'href="{reverse("home")}" aria-current="page">Home</a>' in response.content.decode()


def test_an_agent_sees_the_figures_of_their_departments(agent_client, desk):
    context = figures(agent_client).context
    assert context["tickets"] == {"mine": 2, "overdue": 1, "due_soon": 1}


def test_an_administrator_sees_every_department(administrator, desk):
    context = figures(signed_in(administrator)).context
    assert context["tickets"] == {"mine": 0, "overdue": 2, "due_soon": 1}


def test_the_links_filter_the_lists_to_what_is_counted(agent_client, agent, desk):
    html = figures(agent_client).content.decode()
    url = reverse("tickets:ticket_list")
    for query, expected in [
        (
            "assignee=me&resolution=unresolved",
            Ticket.objects.filter(assignee=agent, department__members=agent).open(),
        ),
        (
            "sla_state=overdue",
            Ticket.objects.filter(
                sla__isnull=False, resolution_due_at__lt=timezone.now(), department__members=agent
            ),
        ),
        (
            "sla_state=due_soon",
            Ticket.objects.filter(
                sla__isnull=False,
                resolution_due_at__gt=timezone.now(),
                resolution_due_at__lt=timezone.now() + datetime.timedelta(hours=1),
            ),
        ),
    ]:
        assert f'href="{url}?{query.replace("&", "&amp;")}"' in html
        listed = agent_client.get(f"{url}?{query}").context["tickets"]
        assert {t.pk for t in listed} == {t.pk for t in expected}


def test_contracts_expiring_and_out_of_credits(agent_client, administrator, department):
    today = timezone.localdate()
    plan = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=3)
    out = f.ContractFactory(support_plan=plan, end_date=today + datetime.timedelta(days=200))
    credits.adjust(by=administrator, contract=out, delta=-3, reason="Used elsewhere")
    f.ContractFactory(support_plan=plan, end_date=today + datetime.timedelta(days=200))
    f.ContractFactory(support_plan=plan, end_date=today + datetime.timedelta(days=20))
    f.ContractFactory(
        support_plan=plan, end_date=today + datetime.timedelta(days=40), notify_days_before=60
    )
    f.ContractFactory(
        support_plan=plan, end_date=today + datetime.timedelta(days=40), notify_days_before=10
    )
    response = figures(agent_client)
    assert response.context["expiring"] == {"count": 2, "within_days": 60}
    assert response.context["at_limit"] == 1
    url = f"{reverse('contracts:contract_list')}?expiring_within=60&amp;o=end_date"
    assert f'href="{url}"' in response.content.decode()
    listed = agent_client.get(url.replace("&amp;", "&")).context["contracts"]
    assert len(listed) == 3  # the window is the widest notice period: it shows every one counted


def test_contracts_are_hidden_where_the_module_is_off(agent_client, department):
    f.ContractFactory(
        support_plan=f.SupportPlanFactory(department=department),
        end_date=timezone.localdate() + datetime.timedelta(days=5),
    )
    department.contracts_enabled = False
    department.save()
    response = figures(agent_client)
    assert not response.context["show_contracts"] and "expiring" not in response.context
    assert "home-expiring" not in response.content.decode()
    assert Contract.objects.count() == 1


def test_queries_do_not_grow_with_rows(agent_client, department, agent, administrator):
    def add(n):
        sla = f.SLAFactory(department=department)
        plan = f.SupportPlanFactory(department=department, ticket_based=True)
        for i in range(n):
            ticket(department, assignee=agent, sla=sla, due_in=datetime.timedelta(minutes=i - 5))
            contract = f.ContractFactory(
                support_plan=plan, end_date=timezone.localdate() + datetime.timedelta(days=i)
            )
            credits.adjust(by=administrator, contract=contract, delta=-1, reason="Used")

    def count():
        figures(agent_client)
        with CaptureQueriesContext(connection) as captured:
            figures(agent_client)
        return len(captured.captured_queries)

    add(3)
    with_3 = count()
    add(27)
    assert count() == with_3


def test_a_figure_stops_counting_at_its_cap(monkeypatch, administrator, desk):
    """Each ticket figure is read up to a cap, whatever the desk's size, and says so."""
    from tickets import selectors

    monkeypatch.setattr(selectors, "HOME_COUNT_CAP", 1)
    response = figures(signed_in(administrator))
    assert response.context["tickets"] == {"mine": 0, "overdue": 2, "due_soon": 1}
    html = response.content.decode()
    overdue = html[html.index('id="home-overdue"') : html.index('id="home-due-soon"')]
    assert '<p class="display-6 mb-1">1+</p>' in overdue
    due_soon = html[html.index('id="home-due-soon"') :]
    assert '<p class="display-6 mb-1">1</p>' in due_soon


def test_the_contract_figures_stop_counting_at_the_cap(monkeypatch, administrator, department):
    """The expiring contracts are read soonest end first, up to the cap; the link's window is
    the widest notice period of those read."""
    from tickets import selectors

    today = timezone.localdate()
    plan = f.SupportPlanFactory(department=department)
    for days, notice in ((5, 10), (8, 20), (12, 90)):
        f.ContractFactory(
            support_plan=plan,
            start_date=today - datetime.timedelta(days=100),
            end_date=today + datetime.timedelta(days=days),
            notify_days_before=notice,
        )
    monkeypatch.setattr(selectors, "HOME_COUNT_CAP", 1)
    response = figures(signed_in(administrator))
    assert response.context["expiring"] == {"count": 2, "within_days": 20}
    html = response.content.decode()
    expiring = html[html.index('id="home-expiring"') : html.index('id="home-at-limit"')]
    assert '<p class="display-6 mb-1">1+</p>' in expiring
