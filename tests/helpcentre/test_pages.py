"""The help centre's pages (SPEC section 9, issue 17): what a customer sees of their account's
contracts, plans, credits and usage, and of their tickets; what they never see; the walls."""

import datetime
import re
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from contracts import credits
from contracts.models import CreditEntry
from desk.choices import Priority, Status
from desk.models import Preferences
from helpcentre.forms import CONTRACT_NOT_YOURS, SUBJECT_EMPTY
from sla.models import SLA, EscalationLevel, WorkingPeriod
from tests import factories as f
from tickets.conversation import TICKET_CLOSED, reply_add
from tickets.models import Reply, Ticket
from tickets.services import ticket_raise, ticket_update

pytestmark = pytest.mark.django_db

OWNER_SURNAME = "Ownerman"
LEDGER_REASON = "Goodwill for the March outage (planted)"
PRIVATE_NOTE = "Private: the customer is on the watch list (planted)"
ESCALATED_TO = "Notifiedperson"
AGENT_SURNAME = "Lindqvist"


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A request activates its reader's language in this thread: reset it after each test."""
    yield
    translation.activate("en")


def customer_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def build_amber(department):
    """The article's Amber Motors: a time-limited ticket-based contract and one with no end date,
    a second account (Birch), and internal things planted to be looked for: the contracts'
    owner, a ledger reason, an escalation rule's person, a private note."""
    today = timezone.localdate()
    agent = f.AgentFactory(
        username="anna", first_name="Anna", last_name=AGENT_SURNAME, departments=[department]
    )
    owner = f.UserFactory(username="owen", first_name="Owen", last_name=OWNER_SURNAME)
    notified = f.UserFactory(username="nina", first_name="Nina", last_name=ESCALATED_TO)
    gold = f.SLAFactory(
        department=department,
        name="Gold SLA",
        business_hours=SLA.BusinessHours.WEEKLY,
        time_zone="Europe/Berlin",
    )
    for day in range(5):
        WorkingPeriod.objects.create(
            sla=gold, weekday=day, start_time=datetime.time(9), end_time=datetime.time(17)
        )
    level = EscalationLevel.objects.create(
        sla=gold, level=1, target="response", offset_minutes=30, action="notify"
    )
    level.notify_users.add(notified)
    silver = f.SLAFactory(department=department, name="Silver SLA")
    limited = f.SupportPlanFactory(
        department=department,
        name="Standard 5 a month",
        ticket_based=True,
        credit_limit=5,
        sla=gold,
    )
    unlimited = f.SupportPlanFactory(department=department, name="Premium unlimited", sla=silver)
    account = f.AccountFactory(name="Amber Motors")
    service = f.ContractFactory(
        name="Amber service and support",
        contract_number="AM-001",
        account=account,
        support_plan=limited,
        owner=owner,
        product_name="Engines",
        start_date=today - datetime.timedelta(days=40),
        end_date=today + datetime.timedelta(days=320),
    )
    open_ended = f.ContractFactory(
        name="Amber customer support and service",
        contract_number="AM-002",
        account=account,
        support_plan=unlimited,
        owner=owner,
        product_name="Parts",
        start_date=today - datetime.timedelta(days=400),
        end_date=None,
    )
    expired = f.ContractFactory(
        name="Amber old contract",
        contract_number="AM-000",
        account=account,
        support_plan=unlimited,
        owner=owner,
        start_date=today - datetime.timedelta(days=900),
        end_date=today - datetime.timedelta(days=500),
    )
    credits.adjust(by=f.desk_admin(), contract=service, delta=1, reason=LEDGER_REASON)
    carla = f.ContactFactory(
        account=account, first_name="Carla", last_name="Customer", email="carla@amber.example"
    )
    colin = f.ContactFactory(
        account=account, first_name="Colin", last_name="Colleague", email="colin@amber.example"
    )
    birch = f.AccountFactory(name="Birch Ltd")
    birch_contract = f.ContractFactory(
        name="Birch support", contract_number="BI-001", account=birch, support_plan=limited
    )
    bob = f.ContactFactory(account=birch, first_name="Bob", last_name="Birch")
    return SimpleNamespace(
        today=today,
        department=department,
        agent=agent,
        gold=gold,
        limited=limited,
        unlimited=unlimited,
        account=account,
        service=service,
        open_ended=open_ended,
        expired=expired,
        carla=carla,
        carla_user=f.customer_of(carla),
        colin=colin,
        colin_user=f.customer_of(colin),
        birch=birch,
        birch_contract=birch_contract,
        bob=bob,
        bob_user=f.customer_of(bob),
    )


@pytest.fixture
def amber(department):
    return build_amber(department)


@pytest.fixture
def carla_client(amber):
    return customer_client(amber.carla_user)


def raised(user, subject, **fields) -> Ticket:
    return ticket_raise(by=user, subject=subject, **fields)


def text_of(response) -> str:
    """The page's text, tags taken out, whitespace squeezed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


# --- the frame -----------------------------------------------------------------------------------


def test_the_frame_names_the_account_and_links_only_to_the_help_centre(amber, carla_client):
    response = carla_client.get("/help/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="help-account" title="Amber Motors">Amber Motors<' in html
    assert 'id="help-tickets"' in html and ">My tickets<" in html
    assert reverse("helpcentre:ticket_create") in html
    assert f'action="{reverse("helpcentre:sign_out")}"' in html
    assert 'id="language-switch"' in html
    assert "Times are shown in the UTC time zone." in text_of(response)
    hrefs = set(re.findall(r'href="([^"#]*)"', html))
    staff = [h for h in hrefs if h.startswith(("/tickets", "/contracts", "/settings", "/admin"))]
    assert staff == [] and "/" not in hrefs
    assert "/accounts/preferences/" not in html


def test_an_account_administrator_reads_tickets_not_my_tickets(amber):
    admin = f.customer_of(
        f.ContactFactory(account=amber.account, email="ada@amber.example"), is_account_admin=True
    )
    html = customer_client(admin).get("/help/").content.decode()
    assert ">Tickets<" in html and ">My tickets<" not in html


def test_the_customers_time_zone_and_language_apply(amber, carla_client):
    Preferences.objects.create(user=amber.carla_user, language="zh-hans", time_zone="Asia/Shanghai")
    ticket = raised(amber.carla_user, "Engine light on")
    response = customer_client(amber.carla_user).get(f"/help/tickets/{ticket.pk}/")
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "Asia/Shanghai" in text_of(response)
    local = ticket.created_at.astimezone(datetime.timezone(datetime.timedelta(hours=8)))
    assert f'datetime="{local:%Y-%m-%dT%H:%M:%S}' in html
    assert re.search(r'datetime="[^"]+\+08:00"', html)


# --- home ----------------------------------------------------------------------------------------


def test_home_shows_both_amber_contracts_with_plan_sla_and_credits(amber, carla_client):
    ticket = raised(amber.carla_user, "Engine light on", product_name="Engines")
    ticket_update(by=amber.agent, ticket=ticket, status=Status.RESOLVED)
    response = carla_client.get("/help/")
    assert response.status_code == 200
    text = text_of(response)
    # Both contracts, active ones by start date: the open-ended one first; never the expired one.
    assert text.index("Amber customer support and service") < text.index(
        "Amber service and support"
    )
    assert "Amber old contract" not in text and "AM-000" not in text
    for words in ["AM-001", "AM-002", "No end date", "Standard 5 a month", "Premium unlimited"]:
        assert words in text
    # The time-limited, ticket-based contract: its terms, credits and next cycle.
    service = response.content.decode().split(f'id="contract-{amber.service.pk}"')[1]
    service_text = " ".join(re.sub(r"<[^>]+>", " ", service).split())
    assert "Ticket-based" in service_text and "Monthly" in service_text
    assert "5 tickets / month" in service_text
    assert 'class="credits-used" value="1"' in service
    assert 'class="credits-adjusted" value="1"' in service
    assert 'class="credits-left" value="5"' in service  # 5 + 1 adjusted - 1 used
    cycle = credits.cycle_for(amber.service)
    next_start = cycle.end + datetime.timedelta(days=1)
    assert f'<time datetime="{next_start:%Y-%m-%d}">' in service
    assert f'datetime="{amber.service.end_date:%Y-%m-%d}"' in service
    # Its SLA: targets in priority order, business hours with their time zone.
    order = [service_text.index(str(p.label)) for p in Priority.urgent_first()]
    assert order == sorted(order)
    assert "30 min" in service_text and "4 h" in service_text  # urgent: 30 min, 4 h
    assert "Weekly schedule (Europe/Berlin)" in service_text
    assert "Monday 09:00–17:00" in service_text
    # The open-ended, unlimited one says so.
    open_ended = response.content.decode().split(f'id="contract-{amber.open_ended.pk}"')[1]
    open_ended = open_ended.split('class="card mb-3 help-contract"')[0]
    assert "Unlimited plan: any number of tickets during the contract period." in open_ended
    assert "No end date" in open_ended
    assert "24 × 7" in open_ended
    assert reverse("helpcentre:contract_detail", args=[amber.open_ended.pk]) in open_ended


def test_home_lists_the_customers_open_tickets_only(amber, carla_client):
    mine = raised(amber.carla_user, "Brakes squeak")
    done = raised(amber.carla_user, "Old question")
    ticket_update(by=amber.agent, ticket=done, status=Status.RESOLVED)
    colleagues = raised(amber.colin_user, "Colleague's ticket")
    html = carla_client.get("/help/").content.decode()
    assert "Brakes squeak" in html and f"/help/tickets/{mine.pk}/" in html
    assert "Old question" not in html
    assert colleagues.subject not in html


def test_home_of_an_upcoming_ticket_based_contract_says_when_it_starts(amber, carla_client):
    upcoming = f.ContractFactory(
        name="Amber next year",
        account=amber.account,
        support_plan=f.SupportPlanFactory(
            department=amber.department, ticket_based=True, credit_limit=7
        ),
        start_date=amber.today + datetime.timedelta(days=30),
        end_date=amber.today + datetime.timedelta(days=394),
    )
    response = carla_client.get("/help/")
    page = response.content.decode().split(f'id="contract-{upcoming.pk}"')[1]
    assert "Upcoming" in page
    assert "7 tickets / month, from the contract's start on" in page
    assert "credits-used" not in page


def test_home_in_chinese(amber):
    Preferences.objects.create(user=amber.carla_user, language="zh-hans")
    response = customer_client(amber.carla_user).get("/help/")
    text = text_of(response)
    assert '<html lang="zh-hans">' in response.content.decode()
    for words in [
        "无结束日期",
        "基于工单",
        "每月",
        "无限计划：合同期内不限数量的工单。",
        "工作时间",
    ]:
        assert words in text, words
    assert "No end date" not in text and "Ticket-based" not in text


# --- what never shows ----------------------------------------------------------------------------


def test_internal_things_never_show_on_any_page(amber, carla_client):
    ticket = raised(amber.carla_user, "Engine light on", product_name="Engines")
    reply_add(by=amber.agent, ticket=ticket, body="We are looking into it.")
    reply_add(by=amber.agent, ticket=ticket, body=PRIVATE_NOTE, public=False)
    ticket_update(by=amber.agent, ticket=ticket, status=Status.RESOLVED)
    pages = [
        "/help/",
        f"/help/contracts/{amber.service.pk}/",
        f"/help/contracts/{amber.open_ended.pk}/",
        "/help/tickets/",
        "/help/tickets/new/",
        f"/help/tickets/{ticket.pk}/",
    ]
    for path in pages:
        response = carla_client.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        for planted in [OWNER_SURNAME, LEDGER_REASON, PRIVATE_NOTE, ESCALATED_TO, AGENT_SURNAME]:
            assert planted not in text, (path, planted)
        for word in ["Escalation", "escalation", "Contract owner", "Reason", "Credit ledger"]:
            assert word not in text, (path, word)
    assert Reply.objects.filter(body=PRIVATE_NOTE).exists()  # it was there to be hidden


# --- contract page -------------------------------------------------------------------------------


def test_contract_page_shows_details_and_usage_chart(amber, carla_client):
    ticket = raised(amber.carla_user, "Engine light on", product_name="Engines")
    ticket_update(by=amber.agent, ticket=ticket, status=Status.RESOLVED)
    response = carla_client.get(f"/help/contracts/{amber.service.pk}/")
    assert response.status_code == 200
    text = text_of(response)
    for words in ["Amber service and support", "AM-001", "Standard 5 a month", "Gold SLA"]:
        assert words in text
    assert "Credits used per month" in text
    assert 'class="usage-chart-svg' in response.content.decode()
    assert "usage-table" in response.content.decode()
    usage = response.context["usage"]
    assert usage.total == 1 and usage.grouping == "month"


def test_contract_page_usage_by_quarter_over_a_chosen_range(amber, carla_client):
    start = amber.today - datetime.timedelta(days=700)
    response = carla_client.get(
        f"/help/contracts/{amber.service.pk}/",
        {"start": f"{start:%Y-%m-%d}", "end": f"{amber.today:%Y-%m-%d}", "group": "quarter"},
    )
    assert response.status_code == 200
    usage = response.context["usage"]
    assert usage.grouping == "quarter" and usage.start == start
    assert "Credits used per quarter" in text_of(response)


def test_contract_page_refuses_a_backwards_range_and_shows_the_default(amber, carla_client):
    response = carla_client.get(
        f"/help/contracts/{amber.service.pk}/",
        {"start": "2026-05-01", "end": "2026-01-01", "group": "month"},
    )
    assert response.status_code == 200
    assert "The end of the range cannot be before its start." in text_of(response)
    assert response.context["usage"].grouping == "month"


def test_contract_page_in_chinese(amber):
    Preferences.objects.create(user=amber.carla_user, language="zh-hans")
    response = customer_client(amber.carla_user).get(f"/help/contracts/{amber.open_ended.pk}/")
    text = text_of(response)
    assert "无结束日期" in text and "已解决工单数" in text


def spend_on(contract, ticket, when: datetime.datetime, *, seq: int = 0) -> None:
    """A resolved ticket's spend written at ``when`` (the ledger as months of use leave it)."""
    cycle = credits.cycle_for(contract, timezone.localdate(when))
    CreditEntry.objects.create(
        contract=contract,
        ticket=ticket,
        ticket_seq=seq,
        kind=CreditEntry.Kind.SPEND,
        delta=-1,
        cycle_start=cycle.start if cycle else None,
        cycle_end=cycle.end if cycle else None,
        created_at=when,
    )


def test_usage_figures_equal_the_staff_overviews_for_the_account(amber, administrator):
    """The help centre's figures are the staff overview's, limited to the account: on a plan
    shared by Amber and Birch, Amber's and Birch's add up to the overview's, period by period,
    to the credit; a refund counts against its period on both."""
    now = timezone.now()
    amber_ticket = f.TicketFactory(account=amber.account, department=amber.department)
    birch_ticket = f.TicketFactory(account=amber.birch, department=amber.department)
    for months_ago, contract, ticket in [
        (0, amber.service, amber_ticket),
        (1, amber.birch_contract, birch_ticket),
    ]:
        spend_on(contract, ticket, now - datetime.timedelta(days=31 * months_ago))
    for i in range(3):
        extra = f.TicketFactory(account=amber.account, department=amber.department)
        spend_on(amber.service, extra, now - datetime.timedelta(days=20 * i, hours=1))
    extra = f.TicketFactory(account=amber.birch, department=amber.department)
    spend_on(amber.birch_contract, extra, now - datetime.timedelta(days=33))
    refund = CreditEntry(
        contract=amber.birch_contract,
        ticket=extra,
        ticket_seq=1,
        kind=CreditEntry.Kind.REFUND,
        delta=1,
        created_at=now - datetime.timedelta(days=3),
    )
    refund.save()
    start = amber.today - datetime.timedelta(days=200)
    query = {"start": f"{start:%Y-%m-%d}", "end": f"{amber.today:%Y-%m-%d}", "group": "month"}

    staff = customer_client(administrator).get(
        f"/settings/automation/support-plans/{amber.limited.pk}/", query
    )
    assert staff.status_code == 200
    amber_page = customer_client(amber.carla_user).get(
        f"/help/contracts/{amber.service.pk}/", query
    )
    birch_page = customer_client(amber.bob_user).get(
        f"/help/contracts/{amber.birch_contract.pk}/", query
    )
    overview = staff.context["usage"].periods
    mine = amber_page.context["usage"].periods
    theirs = birch_page.context["usage"].periods
    assert [p.start for p in mine] == [p.start for p in overview] == [p.start for p in theirs]
    assert [a.used + b.used for a, b in zip(mine, theirs, strict=True)] == [
        p.used for p in overview
    ]
    assert amber_page.context["usage"].total == 4
    assert birch_page.context["usage"].total == 1  # two spends, one refunded
    assert staff.context["usage"].total == 5
    # The table the customer reads holds the same figures.
    table = amber_page.content.decode().split('class="table table-sm w-auto usage-table"')[1]
    cells = [int(n) for n in re.findall(r'<td class="text-end">(-?\d+)</td>', table)]
    assert cells[:-1] == [p.used for p in mine] and cells[-1] == 4


def test_usage_of_an_account_alone_on_a_plan_is_the_overview_itself(amber, administrator):
    ticket = raised(amber.carla_user, "Engine light on", product_name="Engines")
    ticket_update(by=amber.agent, ticket=ticket, status=Status.RESOLVED)
    ticket_update(by=amber.agent, ticket=ticket, status=Status.OPEN)
    ticket_update(by=amber.agent, ticket=ticket, status=Status.RESOLVED)
    amber.birch_contract.delete()
    query = {"group": "week"}
    staff = customer_client(administrator).get(
        f"/settings/automation/support-plans/{amber.limited.pk}/", query
    )
    mine = customer_client(amber.carla_user).get(f"/help/contracts/{amber.service.pk}/", query)
    assert staff.context["usage"] == mine.context["usage"]
    assert mine.context["usage"].total == 1


# --- walls ---------------------------------------------------------------------------------------


def test_another_accounts_contract_and_ticket_answer_404(amber, carla_client):
    birch_ticket = raised(amber.bob_user, "Birch's own problem")
    assert carla_client.get(f"/help/contracts/{amber.birch_contract.pk}/").status_code == 404
    assert carla_client.get(f"/help/tickets/{birch_ticket.pk}/").status_code == 404
    response = carla_client.post(f"/help/tickets/{birch_ticket.pk}/", {"body": "Let me in"})
    assert response.status_code == 404
    assert not birch_ticket.replies.exists()
    assert "Birch" not in carla_client.get("/help/tickets/").content.decode()


def test_an_expired_contract_answers_404(amber, carla_client):
    assert carla_client.get(f"/help/contracts/{amber.expired.pk}/").status_code == 404
    assert carla_client.get("/help/contracts/999999/").status_code == 404


def test_a_colleagues_ticket_answers_404_unless_account_administrator(amber, carla_client):
    colleagues = raised(amber.colin_user, "Colin's ticket")
    assert carla_client.get(f"/help/tickets/{colleagues.pk}/").status_code == 404
    assert "Colin's ticket" not in carla_client.get("/help/tickets/").content.decode()
    amber.carla.is_account_admin = True
    amber.carla.save(update_fields=["is_account_admin"])
    admin_client = customer_client(amber.carla_user)  # a new session reads the contact afresh
    response = admin_client.get(f"/help/tickets/{colleagues.pk}/")
    assert response.status_code == 200
    assert "Colin Colleague" in text_of(response)
    listing = admin_client.get("/help/tickets/")
    assert "Colin&#x27;s ticket" in listing.content.decode()
    assert "raised by Colin Colleague" in text_of(listing)


def test_a_ticket_raised_by_an_agent_for_the_contact_is_theirs(amber, carla_client):
    from tickets.services import ticket_create

    ticket = ticket_create(
        by=amber.agent,
        subject="Called in by phone",
        account=amber.account,
        department=amber.department,
        contact=amber.carla,
    )
    assert carla_client.get(f"/help/tickets/{ticket.pk}/").status_code == 200
    assert customer_client(amber.colin_user).get(f"/help/tickets/{ticket.pk}/").status_code == 404


# --- ticket list ---------------------------------------------------------------------------------


def test_ticket_list_shows_status_due_times_and_sla_standing(amber, carla_client):
    covered = raised(amber.carla_user, "Covered one", product_name="Engines")
    reply_add(by=amber.agent, ticket=covered, body="On it.")
    uncovered_account = amber.account
    uncovered = f.TicketFactory(
        account=uncovered_account,
        contact=amber.carla,
        department=amber.department,
        subject="Uncovered one",
    )
    used_up = f.TicketFactory(
        account=uncovered_account,
        contact=amber.carla,
        department=amber.department,
        contract=amber.service,
        subject="After the credits ran out",
        sla_exemption=Ticket.SlaExemption.CREDITS_USED_UP,
    )
    response = carla_client.get("/help/tickets/")
    assert response.status_code == 200
    html = response.content.decode()

    def row(ticket):
        part = html.split(f'id="ticket-{ticket.pk}"')[1].split('<li class="list-group-item')[0]
        return " ".join(re.sub(r"<[^>]+>", " ", part).split())

    assert f"#{covered.pk} Covered one" in row(covered)
    assert "Open" in row(covered)
    assert "Response due" in row(covered) and "met" in row(covered)
    assert "Resolution due" in row(covered)
    assert "Follows the plan's SLA" in row(covered).replace("&#x27;", "'")
    assert "it is not covered by a contract" in row(uncovered)
    assert "credits for this cycle were used up" in row(used_up)


def test_ticket_list_filters_open_and_resolved(amber, carla_client):
    open_one = raised(amber.carla_user, "Still open")
    done = raised(amber.carla_user, "All done")
    ticket_update(by=amber.agent, ticket=done, status=Status.RESOLVED)
    closed = raised(amber.carla_user, "Closed long ago")
    ticket_update(by=amber.agent, ticket=closed, status=Status.CLOSED)

    def shown(query):
        response = carla_client.get("/help/tickets/", query)
        assert response.status_code == 200
        return {t.pk for t in response.context["tickets"]}

    assert shown({}) == {open_one.pk, done.pk, closed.pk}
    assert shown({"show": "open"}) == {open_one.pk}
    assert shown({"show": "resolved"}) == {done.pk, closed.pk}
    assert shown({"show": "nonsense"}) == {open_one.pk, done.pk, closed.pk}


def test_ticket_list_pages(amber, carla_client):
    for i in range(27):
        f.TicketFactory(
            account=amber.account,
            contact=amber.carla,
            department=amber.department,
            subject=f"Ticket number {i}",
        )
    first = carla_client.get("/help/tickets/")
    assert len(first.context["tickets"]) == 25
    assert "?page=2" in first.content.decode()
    second = carla_client.get("/help/tickets/?page=2")
    assert len(second.context["tickets"]) == 2
    assert carla_client.get("/help/tickets/?page=9").status_code == 404


def test_ticket_list_in_chinese(amber):
    Preferences.objects.create(user=amber.carla_user, language="zh-hans")
    raised(amber.carla_user, "Engine light on", product_name="Engines")
    text = text_of(customer_client(amber.carla_user).get("/help/tickets/"))
    assert "待处理" in text and "遵循计划的 SLA" in text


# --- raising a ticket ----------------------------------------------------------------------------


def test_raise_a_ticket_follows_its_contract_and_spends_a_credit_when_resolved(amber, carla_client):
    form = carla_client.get("/help/tickets/new/")
    assert form.status_code == 200
    offered = list(form.context["form"].fields["contract"].queryset)
    assert offered == [amber.open_ended, amber.service]
    response = carla_client.post(
        "/help/tickets/new/",
        {"subject": "Engine light on", "description": "Since Monday.", "product_name": "Engines"},
    )
    ticket = Ticket.objects.get(subject="Engine light on")
    assert response.status_code == 302
    assert response["Location"] == f"/help/tickets/{ticket.pk}/"
    assert ticket.contract == amber.service and ticket.sla == amber.gold
    assert ticket.contact == amber.carla and ticket.account == amber.account
    assert ticket.sla_exemption == "" and ticket.response_due_at is not None
    page = carla_client.get(response["Location"])
    assert f"Your ticket #{ticket.pk} was raised." in text_of(page)

    ticket_update(by=amber.agent, ticket=ticket, status=Status.RESOLVED)
    spend = CreditEntry.objects.get(ticket=ticket)
    assert spend.kind == CreditEntry.Kind.SPEND and spend.contract == amber.service
    home = carla_client.get("/help/").content.decode()
    service = home.split(f'id="contract-{amber.service.pk}"')[1]
    assert 'class="credits-used" value="1"' in service


def test_raise_a_ticket_on_a_chosen_contract(amber, carla_client):
    response = carla_client.post(
        "/help/tickets/new/",
        {"subject": "Parts missing", "contract": amber.open_ended.pk},
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get(subject="Parts missing")
    assert ticket.contract == amber.open_ended
    assert ticket.sla == amber.open_ended.support_plan.sla


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"subject": "   "}, "subject", SUBJECT_EMPTY),
        ({"subject": "Theirs", "contract": "birch"}, "contract", CONTRACT_NOT_YOURS),
        ({"subject": "Expired", "contract": "expired"}, "contract", CONTRACT_NOT_YOURS),
        ({"subject": "Long", "description": "x" * 20_001}, "description", "20000"),
    ],
)
def test_raise_a_ticket_refuses_bad_input_on_its_field(amber, carla_client, data, field, message):
    contracts = {"birch": amber.birch_contract.pk, "expired": amber.expired.pk}
    if "contract" in data:
        data = {**data, "contract": contracts[data["contract"]]}
    response = carla_client.post("/help/tickets/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(str(message) in e for e in errors[field]), errors
    assert not Ticket.objects.filter(account__in=[amber.account, amber.birch]).exists()


def test_raise_a_ticket_when_credits_are_used_up_says_it_follows_no_plan_sla(amber, carla_client):
    credits.adjust(by=f.desk_admin(), contract=amber.service, delta=-6, reason="Used elsewhere")
    response = carla_client.post(
        "/help/tickets/new/", {"subject": "One too many", "product_name": "Engines"}
    )
    ticket = Ticket.objects.get(subject="One too many")
    assert ticket.sla_exemption == Ticket.SlaExemption.CREDITS_USED_UP
    page = text_of(carla_client.get(response["Location"]))
    assert "credits for this cycle were used up" in page


# --- the ticket page and the conversation --------------------------------------------------------


def test_ticket_page_shows_status_due_times_and_the_public_conversation(amber, carla_client):
    ticket = raised(
        amber.carla_user, "Engine light on", description="Since Monday.", product_name="Engines"
    )
    reply_add(by=amber.agent, ticket=ticket, body="Please send a photo of the dashboard.")
    reply_add(by=amber.agent, ticket=ticket, body=PRIVATE_NOTE, public=False)
    reply_add(by=amber.carla_user, ticket=ticket, body="Here it is.")
    response = carla_client.get(f"/help/tickets/{ticket.pk}/")
    assert response.status_code == 200
    text = text_of(response)
    assert "Since Monday." in text
    assert "Anna" in text and AGENT_SURNAME not in text
    assert text.index("Please send a photo") < text.index("Here it is.")
    assert "You" in text
    assert PRIVATE_NOTE not in text
    assert "Response due" in text and "met" in text
    assert "Follows the plan's SLA" in text.replace("&#x27;", "'")
    assert 'id="reply-form"' in response.content.decode()


def test_a_colleagues_reply_names_them(amber):
    admin_user = f.customer_of(
        f.ContactFactory(account=amber.account, first_name="Ada", email="ada@amber.example"),
        is_account_admin=True,
    )
    ticket = raised(amber.carla_user, "Engine light on")
    reply_add(by=admin_user, ticket=ticket, body="Adding our fleet number.")
    text = text_of(customer_client(amber.carla_user).get(f"/help/tickets/{ticket.pk}/"))
    assert "Ada" in text and "Adding our fleet number." in text


def test_a_reply_is_added_and_shown(amber, carla_client):
    ticket = raised(amber.carla_user, "Engine light on")
    response = carla_client.post(f"/help/tickets/{ticket.pk}/", {"body": "Any news?"})
    assert response.status_code == 302
    assert response["Location"] == f"/help/tickets/{ticket.pk}/#conversation"
    reply = ticket.replies.get()
    assert reply.body == "Any news?" and reply.from_customer and reply.is_public
    assert reply.author == amber.carla_user
    page = carla_client.get(f"/help/tickets/{ticket.pk}/")
    assert "Your reply was sent." in text_of(page) and "Any news?" in text_of(page)


def test_a_reply_reopens_a_resolved_ticket_and_refunds_its_credit(amber, carla_client):
    ticket = raised(amber.carla_user, "Engine light on", product_name="Engines")
    ticket_update(by=amber.agent, ticket=ticket, status=Status.RESOLVED)
    page = carla_client.get(f"/help/tickets/{ticket.pk}/")
    assert "Replying reopens it." in text_of(page)
    carla_client.post(f"/help/tickets/{ticket.pk}/", {"body": "It is back."})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    kinds = list(
        CreditEntry.objects.filter(ticket=ticket).order_by("ticket_seq").values_list("kind")
    )
    assert kinds == [("spend",), ("refund",)]


def test_a_reply_on_a_ticket_waiting_on_the_customer_sets_it_open(amber, carla_client):
    ticket = raised(amber.carla_user, "Engine light on")
    ticket_update(by=amber.agent, ticket=ticket, status=Status.WAITING_ON_CUSTOMER)
    carla_client.post(f"/help/tickets/{ticket.pk}/", {"body": "Here is the photo."})
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_an_empty_reply_is_refused_on_the_form(amber, carla_client):
    ticket = raised(amber.carla_user, "Engine light on")
    response = carla_client.post(f"/help/tickets/{ticket.pk}/", {"body": "   "})
    assert response.status_code == 200
    assert "body" in response.context["reply_form"].errors
    assert "Your reply was not sent" in text_of(response)
    assert not ticket.replies.exists()


def test_a_closed_ticket_offers_no_form_and_takes_no_reply(amber, carla_client):
    ticket = raised(amber.carla_user, "Engine light on")
    ticket_update(by=amber.agent, ticket=ticket, status=Status.CLOSED)
    response = carla_client.get(f"/help/tickets/{ticket.pk}/")
    html = response.content.decode()
    assert 'id="reply-form"' not in html
    closed = html.split('id="ticket-closed"')[1].split("</div>")[0]
    assert str(TICKET_CLOSED) in closed
    assert reverse("helpcentre:ticket_create") in closed
    posted = carla_client.post(f"/help/tickets/{ticket.pk}/", {"body": "Hello?"}, follow=True)
    assert str(TICKET_CLOSED) in text_of(posted)
    assert not ticket.replies.exists()


def test_ticket_page_in_chinese(amber):
    Preferences.objects.create(user=amber.carla_user, language="zh-hans")
    ticket = raised(amber.carla_user, "Engine light on", product_name="Engines")
    text = text_of(customer_client(amber.carla_user).get(f"/help/tickets/{ticket.pk}/"))
    assert "待处理" in text and "优先级" in text and "遵循计划的 SLA" in text


# --- who may open the pages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/help/", "/help/tickets/", "/help/tickets/new/", "/help/contracts/1/"]
)
def test_staff_see_a_notice_not_a_customers_view(amber, path):
    response = customer_client(amber.agent).get(path)
    assert response.status_code == 403
    assert "Amber Motors" not in response.content.decode()


def test_anonymous_visitors_go_to_the_help_centres_sign_in(amber):
    response = Client().get("/help/tickets/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("helpcentre:sign_in"))
