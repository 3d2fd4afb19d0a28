"""Flat query counts: every list and detail page runs as many queries for 3 rows as for 30.

An N+1 (a query per row) makes the second count larger, so it can never come back unnoticed.
Each page is requested once to warm up (session, content types), then counted. A page whose URL
does not resolve yet is skipped with the reason, so the suite stays green while it is built.
"""

import datetime
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, resolve
from django.utils import timezone

from contracts import credits
from desk.choices import Priority, Status
from tests import factories as f
from tickets.services import ticket_update

pytestmark = pytest.mark.django_db

PRIORITIES = list(Priority.values)


def count_queries(client, url: str) -> int:
    try:
        resolve(urlsplit(url).path)
    except Resolver404:
        pytest.fail(f"{url} does not resolve: renamed or removed?")
    warm = client.get(url)
    assert warm.status_code == 200, (url, warm.status_code)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def ticket_based_plan(department, **kwargs):
    return f.SupportPlanFactory(
        department=department, ticket_based=True, credit_limit=1000, **kwargs
    )


def contract_in(department, *, plan=None, account=None):
    return f.ContractFactory(
        support_plan=plan or ticket_based_plan(department),
        account=account or f.AccountFactory(),
        owner=f.UserFactory(),
        notify_days_before=14,
    )


def ticket_under(contract, department, *, status=Status.OPEN, i=0):
    ticket = f.TicketFactory(
        account=contract.account,
        contact=f.ContactFactory(account=contract.account),
        department=department,
        contract=contract,
        sla=contract.support_plan.sla,
        priority=PRIORITIES[i % len(PRIORITIES)],
        assignee=f.AgentFactory(departments=[department]),
    )
    if status != Status.OPEN:
        ticket_update(by=f.desk_admin(), ticket=ticket, status=status)
    return ticket


# -- lists: rows are added to the same page ---------------------------------------------------


def add_tickets(department, n):
    for i in range(n):
        ticket_under(
            contract_in(department), department, status=[Status.OPEN, Status.RESOLVED][i % 2], i=i
        )
    return "/tickets/"


def add_open_tickets(department, n):
    for i in range(n):
        ticket_under(contract_in(department), department, i=i)
    return "/tickets/?status=open"


def add_contracts(department, n):
    plan = ticket_based_plan(department)
    for i in range(n):
        contract = contract_in(department, plan=plan if i % 2 else None)
        ticket_under(contract, department, status=Status.RESOLVED, i=i)
    return "/contracts/"


def add_plans(department, n):
    for _ in range(n):
        contract_in(department)
        f.SupportPlanFactory(department=department)  # unlimited and unused
    return "/settings/automation/support-plans/"


def add_slas(department, n):
    for _ in range(n):
        sla = f.SLAFactory(department=department)
        f.SupportPlanFactory(department=department, sla=sla)
    return "/settings/automation/slas/"


def add_holiday_lists(department, n):
    """Lists of holidays, each with two days and an SLA that uses it."""
    from sla.models import Holiday, HolidayList

    for _ in range(n):
        holiday_list = HolidayList.objects.create(name=f"Holidays {HolidayList.objects.count()}")
        for day in (1, 2):
            Holiday.objects.create(holiday_list=holiday_list, date=datetime.date(2026, 5, day))
        f.SLAFactory(department=department, holiday_list=holiday_list)
    return "/settings/automation/slas/holiday-lists/"


def add_home_rows(department, n):
    add_tickets(department, n)
    add_contracts(department, n)
    return "/"


def add_search_rows(department, n):
    """Tickets, accounts and contracts that one search finds (issue 16)."""
    for i in range(n):
        account = f.AccountFactory(name=f"Amber {i}")
        contract = f.ContractFactory(
            name=f"Amber support {i}",
            account=account,
            support_plan=ticket_based_plan(department),
            owner=f.UserFactory(),
        )
        f.TicketFactory(
            subject=f"Amber printer offline {i}",
            account=account,
            department=department,
            contract=contract,
            assignee=f.AgentFactory(departments=[department]),
        )
    return "/search/?q=amber"


LISTS = {
    "home page": add_home_rows,
    "ticket list": add_tickets,
    "ticket list, filtered": add_open_tickets,
    "contract list": add_contracts,
    "support plan list": add_plans,
    "SLA list": add_slas,
    "search": add_search_rows,
    "holiday list list": add_holiday_lists,
}


@pytest.mark.parametrize("add_rows", LISTS.values(), ids=LISTS.keys())
def test_list_page_queries_do_not_grow_with_rows(admin_client, department, add_rows):
    url = add_rows(department, 3)
    with_3 = count_queries(admin_client, url)
    add_rows(department, 27)
    with_30 = count_queries(admin_client, url)
    assert with_30 == with_3, f"{url}: {with_3} queries for 3 rows, {with_30} for 30"


def test_agents_ticket_list_queries_do_not_grow_with_rows(agent_client, department):
    with_3 = count_queries(agent_client, add_tickets(department, 3))
    add_tickets(department, 27)
    with_30 = count_queries(agent_client, "/tickets/")
    assert with_30 == with_3


# -- details: a record with 3 rows, another with 30 --------------------------------------------


def ticket_with_changes(department, n):
    """A ticket resolved and reopened until it has ``n`` ledger rows and history rows."""
    ticket = ticket_under(contract_in(department), department)
    for i in range(n):
        ticket_update(
            by=f.desk_admin(), ticket=ticket, status=Status.RESOLVED if i % 2 == 0 else Status.OPEN
        )
    return f"/tickets/{ticket.pk}/"


def ticket_with_conversation(department, n):
    """A ticket with ``n`` replies and private notes, each by another agent (issue 17)."""
    from tickets.conversation import reply_add

    ticket = ticket_under(contract_in(department), department)
    for i in range(n):
        reply_add(
            by=f.AgentFactory(departments=[department]),
            ticket=ticket,
            body=f"Reply {i}",
            public=i % 2 == 0,
        )
    return f"/tickets/{ticket.pk}/"


def account_with_contracts(department, n):
    """An account with ``n`` contracts, tickets and contacts: not invited, invited, signed up and
    revoked by turns (the Contacts tab shows each contact's access, issue 17)."""
    from customers.services import contact_invite, contact_revoke

    account = f.AccountFactory()
    for i in range(n):
        contract = contract_in(department, account=account)
        contact = f.ContactFactory(account=account)
        if i % 4:
            contact = contact_invite(by=f.desk_admin(), contact=contact)
        if i % 4 == 2:
            contact.user.last_login = timezone.now()
            contact.user.save(update_fields=["last_login"])
        if i % 4 == 3:
            contact_revoke(by=f.desk_admin(), contact=contact)
        ticket_under(contract, department, i=i)
    return f"/customers/{account.pk}/?tab=contacts"


def contract_with_ledger(department, n):
    contract = contract_in(department)
    for i in range(n):
        ticket_under(contract, department, status=Status.RESOLVED, i=i)
        credits.adjust(by=f.desk_admin(), contract=contract, delta=1, reason="Goodwill")
    return f"/contracts/{contract.pk}/"


def plan_with_usage(department, n):
    """A plan with ``n`` contracts, each with a resolved ticket, seen over a year by month."""
    plan = ticket_based_plan(department)
    for i in range(n):
        ticket_under(contract_in(department, plan=plan), department, status=Status.RESOLVED, i=i)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=364)
    return (
        f"/settings/automation/support-plans/{plan.pk}/"
        f"?start={start:%Y-%m-%d}&end={today:%Y-%m-%d}&group=month"
    )


def holiday_list_with_days(department, n, *, page=""):
    """A holiday list of ``n`` days used by ``n`` SLAs, one of them in another department."""
    from sla.models import Holiday, HolidayList

    holiday_list = HolidayList.objects.create(name=f"Holidays {HolidayList.objects.count()}")
    for i in range(n):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=i)
        Holiday.objects.create(holiday_list=holiday_list, date=day, name=f"Day {i}")
        f.SLAFactory(department=department, holiday_list=holiday_list)
    f.SLAFactory(department=f.DepartmentFactory(), holiday_list=holiday_list)
    return f"/settings/automation/slas/holiday-lists/{holiday_list.pk}/{page}"


def holiday_list_form_with_days(department, n):
    return holiday_list_with_days(department, n, page="edit/")


DETAILS = {
    "ticket detail": ticket_with_changes,
    "ticket conversation": ticket_with_conversation,
    "account detail": account_with_contracts,
    "contract detail": contract_with_ledger,
    "support plan overview": plan_with_usage,
    "holiday list detail": holiday_list_with_days,
    "holiday list edit form": holiday_list_form_with_days,
}


@pytest.mark.parametrize("record_with_rows", DETAILS.values(), ids=DETAILS.keys())
def test_detail_page_queries_do_not_grow_with_rows(admin_client, department, record_with_rows):
    with_3 = count_queries(admin_client, record_with_rows(department, 3))
    url = record_with_rows(department, 30)
    with_30 = count_queries(admin_client, url)
    assert with_30 == with_3, f"{url}: {with_3} queries for 3 rows, {with_30} for 30"


# -- the help centre: a customer's pages (issue 17) -------------------------------------------


def customer_with_contracts(department, n, state: dict):
    """A customer (their account's administrator, who sees every ticket of it) whose account
    gets ``n`` more contracts, alternately ticket-based and unlimited, each with an open ticket
    (answered, of the customer or of a colleague) and a resolved one (a spent credit)."""
    from tickets.conversation import reply_add

    if "user" not in state:
        contact = f.ContactFactory(account=f.AccountFactory())
        state.update(contact=contact, user=f.customer_of(contact, is_account_admin=True))
    contact = state["contact"]
    for i in range(n):
        plan = (
            ticket_based_plan(department)
            if i % 2 == 0
            else f.SupportPlanFactory(department=department)
        )
        contract = contract_in(department, plan=plan, account=contact.account)
        ticket = ticket_under(contract, department, i=i)
        ticket.contact = contact if i % 2 == 0 else f.ContactFactory(account=contact.account)
        ticket.save()
        reply_add(by=f.desk_admin(), ticket=ticket, body=f"Answer {i}")
        ticket_under(contract, department, status=Status.RESOLVED, i=i)
    return state["user"]


def help_contract(department, n, state):
    """A ticket-based contract with ``n`` resolved tickets, its usage over a year by month."""
    user = customer_with_contracts(department, 0, state)
    contract = contract_in(department, account=state["contact"].account)
    for i in range(n):
        ticket_under(contract, department, status=Status.RESOLVED, i=i)
    today = timezone.localdate()
    start = today - datetime.timedelta(days=364)
    return user, f"/help/contracts/{contract.pk}/?start={start:%Y-%m-%d}&end={today:%Y-%m-%d}"


def help_ticket(department, n, state):
    """A ticket with ``n`` public replies (of an agent, the customer and a colleague in turn)
    and as many private notes."""
    from tickets.conversation import reply_add

    user = customer_with_contracts(department, 0, state)
    contact = state["contact"]
    ticket = ticket_under(contract_in(department, account=contact.account), department)
    ticket.contact = contact
    ticket.save()
    colleague = f.customer_of(f.ContactFactory(account=contact.account), is_account_admin=True)
    for i in range(n):
        reply_add(by=[f.desk_admin(), user, colleague][i % 3], ticket=ticket, body=f"Reply {i}")
        reply_add(by=f.desk_admin(), ticket=ticket, body=f"Note {i}", public=False)
    return user, f"/help/tickets/{ticket.pk}/"


HELP_CENTRE_LISTS = ["/help/", "/help/tickets/", "/help/tickets/?show=open", "/help/tickets/new/"]
HELP_CENTRE_DETAILS = {"help centre contract": help_contract, "help centre ticket": help_ticket}


def customer_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", HELP_CENTRE_LISTS)
def test_help_centre_list_queries_do_not_grow_with_rows(department, url):
    state: dict = {}
    client = customer_client(customer_with_contracts(department, 3, state))
    with_3 = count_queries(client, url)
    customer_with_contracts(department, 27, state)
    with_30 = count_queries(client, url)
    assert with_30 == with_3, f"{url}: {with_3} queries for 3 rows, {with_30} for 30"


@pytest.mark.parametrize("record_with_rows", HELP_CENTRE_DETAILS.values(), ids=HELP_CENTRE_DETAILS)
def test_help_centre_detail_queries_do_not_grow_with_rows(department, record_with_rows):
    state: dict = {}
    user, url = record_with_rows(department, 3, state)
    client = customer_client(user)
    with_3 = count_queries(client, url)
    _, url = record_with_rows(department, 30, state)
    with_30 = count_queries(client, url)
    assert with_30 == with_3, f"{url}: {with_3} queries for 3 rows, {with_30} for 30"


# -- the automation panels: tasks and rule firings (SPEC section 10) ---------------------------


def add_tasks_and_firings(department, n, *, ticket=None, contract=None, assignee=None):
    """``n`` tasks (half overdue, half done) and ``n`` firings, each with a webhook delivery, on
    the ticket or contract; the tasks also assigned to ``assignee`` (My tasks, the home card)."""
    from automation import services as automation
    from automation.models import Firing, Module, Rule, WebhookDelivery

    by = f.desk_admin()
    module = Module.TICKETS if contract is None else Module.CONTRACTS
    rule = Rule.objects.filter(department=department, module=module).first()
    if rule is None:
        rule = automation.rule_create(
            by=by,
            department=department,
            module=module,
            name=f"Rule {module}",
            trigger="created",
            task_subject="Look",
        )
    for i in range(n):
        task = automation.task_create(
            by=by,
            subject=f"Task {i}",
            ticket=ticket,
            contract=contract,
            department=department,
            assignee=assignee or f.AgentFactory(departments=[department]),
            due_at=timezone.now() + datetime.timedelta(hours=1 if i % 2 else -1),
            rule=rule,
        )
        if i % 3 == 2:
            automation.task_complete(by=by, task=task)
        firing = Firing.objects.create(
            rule=rule, ticket=ticket, contract=contract, trigger="created", outcome="done"
        )
        delivery = WebhookDelivery.objects.create(firing=firing, url="https://h.example/", body="")
        firing.actions = [
            {"action": "task", "ok": True, "detail": {"subject": task.subject, "task": task.pk}},
            {
                "action": "webhook",
                "ok": True,
                "detail": {"url": delivery.url, "delivery": delivery.pk},
            },
        ]
        firing.save(update_fields=["actions"])


@pytest.mark.parametrize("who", ["administrator", "agent"])
def test_the_ticket_page_queries_do_not_grow_with_tasks_and_firings(request, department, who):
    user = request.getfixturevalue(who)
    client = request.getfixturevalue({"administrator": "admin_client"}.get(who, f"{who}_client"))
    ticket = ticket_under(contract_in(department), department)
    url = f"/tickets/{ticket.pk}/"
    add_tasks_and_firings(department, 1, ticket=ticket, assignee=user)
    with_1 = count_queries(client, url)
    add_tasks_and_firings(department, 9, ticket=ticket, assignee=user)
    with_10 = count_queries(client, url)
    assert with_10 == with_1, f"{url}: {with_1} queries for 1 task and firing, {with_10} for 10"


def test_the_contract_page_queries_do_not_grow_with_tasks_and_firings(admin_client, department):
    contract = contract_in(department)
    url = f"/contracts/{contract.pk}/"
    add_tasks_and_firings(department, 1, contract=contract)
    with_1 = count_queries(admin_client, url)
    add_tasks_and_firings(department, 9, contract=contract)
    with_10 = count_queries(admin_client, url)
    assert with_10 == with_1, f"{url}: {with_1} queries for 1 task and firing, {with_10} for 10"


@pytest.mark.parametrize("url", ["/", "/tasks/", "/tasks/?show=done"])
def test_my_tasks_queries_do_not_grow_with_tasks(agent, agent_client, department, url):
    from automation import services as automation
    from automation.models import Task

    def add(n):
        """``n`` tasks on a ticket, ``n`` more on a contract, these done: both tabs hold rows."""
        ticket = ticket_under(contract_in(department), department)
        add_tasks_and_firings(department, n, ticket=ticket, assignee=agent)
        contract = contract_in(department)
        add_tasks_and_firings(department, n, contract=contract, assignee=agent)
        for task in Task.objects.filter(contract=contract, done_at__isnull=True):
            automation.task_complete(by=agent, task=task)

    add(1)
    with_1 = count_queries(agent_client, url)
    add(9)
    with_10 = count_queries(agent_client, url)
    assert with_10 == with_1, f"{url}: {with_1} queries for 1 task, {with_10} for 10"
