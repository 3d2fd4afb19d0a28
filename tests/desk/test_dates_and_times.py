"""One date and time format per language, in the reader's zone, named on the page; the ledger to
the second; date inputs that take their value in Chinese too (issue 16, problems 2 and 10)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import credits
from desk.models import Preferences
from tests import factories as f
from tests.conftest import signed_in
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 2026-11-30 21:05:09 UTC is 1 December, 05:05:09 in Shanghai.
MOMENT = datetime.datetime(2026, 11, 30, 21, 5, 9, tzinfo=datetime.UTC)


@pytest.fixture
def reader(agent):
    Preferences.objects.create(user=agent, time_zone="Asia/Shanghai")
    return signed_in(agent)


@pytest.fixture
def ticket(agent, department):
    ticket = f.TicketFactory(department=department, subject="Printer offline")
    Ticket.objects.filter(pk=ticket.pk).update(created_at=MOMENT, resolution_due_at=MOMENT)
    return ticket


def shown_times(html: str) -> set[str]:
    return set(re.findall(r"<time datetime=\"[^\"]+T[^\"]+\"[^>]*>([^<]+)</time>", html))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Dec 1, 2026, 05:05"), ("zh-hans", "2026年12月1日 05:05")],
)
def test_the_list_and_the_ticket_page_show_one_format_in_the_readers_zone(
    reader, ticket, language, expected
):
    reader.cookies["django_language"] = language
    listed = reader.get(reverse("tickets:ticket_list")).content.decode()
    page = reader.get(ticket.get_absolute_url()).content.decode()
    assert shown_times(listed) == {expected}
    assert expected in shown_times(page)


def test_every_signed_in_page_names_the_readers_time_zone(reader, ticket):
    html = reader.get(reverse("tickets:ticket_list")).content.decode()
    assert "Times are shown in the Asia/Shanghai time zone." in html


def test_ledger_times_read_to_the_second(admin_client, department):
    plan = f.SupportPlanFactory(department=department, ticket_based=True, credit_limit=5)
    contract = f.ContractFactory(support_plan=plan)
    entry = credits.adjust(by=f.desk_admin(), contract=contract, delta=2, reason="Goodwill")
    type(entry).objects.filter(pk=entry.pk).update(created_at=MOMENT)
    html = admin_client.get(contract.get_absolute_url()).content.decode()
    assert ">Nov 30, 2026, 21:05:09</time>" in html  # the desk's zone (UTC) here


def test_date_inputs_take_an_iso_value_in_chinese(admin_client, department):
    plan = f.SupportPlanFactory(department=department)
    admin_client.cookies["django_language"] = "zh-hans"
    html = admin_client.get(plan.get_absolute_url()).content.decode()
    values = re.findall(r'<input type="date"[^>]*value="([^"]*)"', html)
    assert values, "no date input on the plan overview"
    for value in values:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value), value
    assert timezone.localdate().isoformat() in values
