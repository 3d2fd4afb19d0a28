"""The top bar's search (issue 16): tickets, accounts and contracts from one box, at /search/.

Every test runs on SQLite (LIKE) and on PostgreSQL (the full-text index of migration
``tickets.0005_search``; ``DATABASE_URL=postgres://…``), with the same expectations.
"""

import datetime
import importlib

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contracts.selectors import contract_search
from customers.selectors import account_search
from tests import factories as f
from tests.conftest import signed_in
from tickets import selectors
from tickets.models import Ticket
from tickets.selectors import ticket_search
from tickets.services import ticket_update
from tickets.views import SearchView

pytestmark = pytest.mark.django_db

URL = reverse("search")


def ticket(department, subject="Printer offline", description="", *, days_ago=0, **kwargs):
    """A ticket created ``days_ago`` days ago (its creation time decides ties)."""
    made = f.TicketFactory(
        department=department, subject=subject, description=description, **kwargs
    )
    when = timezone.now() - datetime.timedelta(days=days_ago, seconds=made.pk)
    Ticket.objects.filter(pk=made.pk).update(created_at=when)
    return made


def found(user, q) -> list[int]:
    return [t.pk for t in ticket_search(user, q)]


def page(client, q, **params):
    response = client.get(URL, {"q": q, **params})
    assert response.status_code == 200
    return response


def section(html: str, name: str) -> str:
    """The HTML of one section of the results page (tickets, accounts or contracts)."""
    start = html.index(f'id="search-{name}"')
    return html[start : html.index("</section>", start)]


# --- what is found -----------------------------------------------------------------------------


def test_a_ticket_number_finds_that_ticket_first(agent, department):
    numbered = ticket(department, "Printer offline", days_ago=30)
    newer = ticket(department, f"Error {numbered.pk} on the dashboard")
    assert found(agent, f"#{numbered.pk}")[0] == numbered.pk
    assert found(agent, str(numbered.pk)) == [numbered.pk, newer.pk]  # and the text after it
    assert found(agent, "#999999") == []


def test_words_of_the_subject_or_the_description_find_a_ticket(agent, department):
    printer = ticket(department, "Printer offline again", "Only one laptop is affected.")
    vpn = ticket(department, "VPN disconnects every hour", "Reported by email.")
    assert found(agent, "printer") == [printer.pk]
    assert found(agent, "PRINTER offline") == [printer.pk]  # any case, every word
    assert found(agent, "laptop") == [printer.pk]  # the description
    assert found(agent, "vpn email") == [vpn.pk]  # a word of each
    assert found(agent, "printer vpn") == []
    assert found(agent, "zebra") == []


def test_a_chinese_search_finds_part_of_a_word(agent, department):
    """Chinese has no spaces: "打印" is part of the word "打印机无法连接" and must find it, in
    the subject and in the description, from one character on."""
    printer = ticket(department, "打印机无法连接", "客户通过电子邮件报告。")
    invoice = ticket(department, "发票金额有误", "办公室的打印机也坏了")
    assert found(agent, "打印机无法连接") == [printer.pk]
    assert set(found(agent, "打印")) == {printer.pk, invoice.pk}
    assert found(agent, "无法连接") == [printer.pk]
    assert found(agent, "电子邮件") == [printer.pk]  # inside the description
    assert found(agent, "金额") == [invoice.pk]
    assert found(agent, "额") == [invoice.pk]  # one character: the last of a word
    assert found(agent, "连打") == []
    assert found(agent, "打印 发票") == [invoice.pk]  # every part
    mixed = ticket(department, "VPN每小时断开一次")
    assert found(agent, "vpn 断开") == [mixed.pk]
    assert found(agent, "VPN断开") == [mixed.pk]


def test_accounts_are_found_by_part_of_their_name(agent):
    amber = f.AccountFactory(name="Amber Motors")
    f.AccountFactory(name="Blue Harbor Logistics")
    chinese = f.AccountFactory(name="蓝港物流")
    assert list(account_search(agent, "amber")) == [amber]
    assert list(account_search(agent, "Motors")) == [amber]
    assert list(account_search(agent, "港物")) == [chinese]
    assert list(account_search(agent, "")) == []


def test_a_word_of_one_or_two_characters_is_found_anywhere_in_a_name(agent, department):
    """Short words (common in Chinese) are found in the middle of a name, in any case, as
    longer ones are: on PostgreSQL through the names' pieces, not their trigrams."""
    chinese = f.AccountFactory(name="蓝港物流")
    acme = f.AccountFactory(name="Acme Printing")
    f.AccountFactory(name="Blue Harbor")
    assert list(account_search(agent, "物流")) == [chinese]
    assert list(account_search(agent, "港")) == [chinese]
    assert list(account_search(agent, "cm")) == [acme]
    assert list(account_search(agent, "印刷")) == []
    plan = f.SupportPlanFactory(department=department)
    contract = f.ContractFactory(
        name="蓝港物流技术支持合同", contract_number="LG-7", support_plan=plan, account=chinese
    )
    f.ContractFactory(name="Amber Motors", contract_number="AM-1", support_plan=plan)
    assert list(contract_search(agent, "支持")) == [contract]
    assert list(contract_search(agent, "g-")) == [contract]
    assert list(contract_search(agent, "7")) == [contract]
    assert list(contract_search(agent, "合约")) == []


def test_contracts_are_found_by_name_and_number(agent, department):
    plan = f.SupportPlanFactory(department=department)
    service = f.ContractFactory(
        name="Amber Motors service and support", contract_number="AM-2026-01", support_plan=plan
    )
    chinese = f.ContractFactory(name="蓝港物流技术支持合同", support_plan=plan)
    assert list(contract_search(agent, "service and")) == [service]
    assert list(contract_search(agent, "am-2026")) == [service]
    assert list(contract_search(agent, "技术支持")) == [chinese]
    assert list(contract_search(agent, "")) == []


def test_the_page_shows_each_section(agent_client, department):
    account = f.AccountFactory(name="Amber Motors")
    plan = f.SupportPlanFactory(department=department)
    contract = f.ContractFactory(
        name="Amber Motors support", contract_number="AM-7", account=account, support_plan=plan
    )
    found_ticket = ticket(department, "Amber dashboard is slow", account=account)
    html = page(agent_client, "amber").content.decode()
    tickets = section(html, "tickets")
    assert found_ticket.get_absolute_url() in tickets and "Amber dashboard is slow" in tickets
    row = tickets[tickets.index(f">{found_ticket.pk}<") :]
    row = row[: row.index("</tr>")]
    for shown in (str(found_ticket.status_label), "Amber Motors", department.name):
        assert shown in row
    assert account.get_absolute_url() in section(html, "accounts")
    contracts = section(html, "contracts")
    assert contract.get_absolute_url() in contracts and "AM-7" in contracts


# --- walls ---------------------------------------------------------------------------------------


def test_an_agent_of_another_department_finds_nothing_of_it(department, other_department):
    outsider = f.AgentFactory(username="outsider", departments=[other_department])
    account = f.AccountFactory(name="Amber Motors")
    plan = f.SupportPlanFactory(department=department)
    contract = f.ContractFactory(name="Amber support", contract_number="AM-1", support_plan=plan)
    secret = ticket(department, "Amber printer offline", account=account)
    assert found(outsider, "amber") == []
    assert found(outsider, f"#{secret.pk}") == []
    assert list(contract_search(outsider, "AM-1")) == []
    html = page(signed_in(outsider), "amber").content.decode()
    assert "Amber printer offline" not in html
    assert contract.get_absolute_url() not in html and secret.get_absolute_url() not in html
    # Accounts are shared by every department, as on the account list.
    assert account.get_absolute_url() in section(html, "accounts")


def test_contracts_are_hidden_where_the_module_is_off(agent, department):
    plan = f.SupportPlanFactory(department=department)
    contract = f.ContractFactory(name="Amber support", contract_number="AM-1", support_plan=plan)
    department.contracts_enabled = False
    department.save()
    assert list(contract_search(agent, "amber")) == []
    html = page(signed_in(agent), "amber").content.decode()
    assert 'id="search-contracts"' not in html and contract.get_absolute_url() not in html
    assert 'id="search-tickets"' in html and 'id="search-accounts"' in html


# --- order and pages -----------------------------------------------------------------------------


def test_the_number_first_then_subject_matches_then_description_matches_newest_first(
    agent, department
):
    in_description_new = ticket(department, "Screen flickers", "The printer too", days_ago=1)
    in_subject_old = ticket(department, "Printer offline", days_ago=20)
    in_subject_new = ticket(department, "Printer offline", days_ago=2)
    numbered = ticket(department, "Backup did not run", days_ago=40)
    assert found(agent, "printer") == [in_subject_new.pk, in_subject_old.pk, in_description_new.pk]
    # A number: that ticket, then the tickets whose text has the number.
    Ticket.objects.filter(pk=in_subject_old.pk).update(subject=f"Printer {numbered.pk} offline")
    assert found(agent, str(numbered.pk)) == [numbered.pk, in_subject_old.pk]


def test_tickets_are_paged_25_a_page(agent_client, department):
    for i in range(30):
        ticket(department, f"Printer offline {i}", days_ago=i)
    first = page(agent_client, "printer")
    assert len(first.context["tickets"]) == 25 and first.context["page_obj"].has_next()
    assert "page=2" in first.content.decode() and "q=printer" in first.content.decode()
    second = page(agent_client, "printer", page=2)
    assert len(second.context["tickets"]) == 5 and not second.context["page_obj"].has_next()
    assert "Printer offline 29" in second.content.decode()
    assert agent_client.get(URL, {"q": "printer", "page": 3}).status_code == 404
    assert agent_client.get(URL, {"q": "printer", "page": "x"}).status_code == 404


def test_only_the_newest_matches_are_ranked(agent_client, department, monkeypatch):
    monkeypatch.setattr(selectors, "SEARCH_WINDOW", 5)
    tickets = [ticket(department, "Printer offline", days_ago=i) for i in range(8)]
    described = ticket(department, "Screen flickers", "printer", days_ago=0)
    response = page(agent_client, "printer")
    shown = [t.pk for t in response.context["tickets"]]
    # The newest five matches, ranked: the subject matches before the description match.
    assert shown == [tickets[0].pk, tickets[1].pk, tickets[2].pk, tickets[3].pk, described.pk]
    assert 'id="search-window-full"' in response.content.decode()
    assert 'id="search-window-full"' not in page(agent_client, "screen").content.decode()


def test_accounts_and_contracts_show_their_first_ten(agent_client, department):
    plan = f.SupportPlanFactory(department=department)
    for i in range(11):
        account = f.AccountFactory(name=f"Amber {i:02d}")
        f.ContractFactory(name=f"Amber support {i:02d}", account=account, support_plan=plan)
    response = page(agent_client, "amber")
    assert len(response.context["accounts"]) == 10 and response.context["more_accounts"]
    assert len(response.context["contracts"]) == 10 and response.context["more_contracts"]
    html = response.content.decode()
    assert f'href="{reverse("customers:account_list")}?q=amber"' in html
    assert 'id="search-more-contracts"' in html
    f.AccountFactory(name="Amber")  # the name itself comes first
    assert page(agent_client, "amber").context["accounts"][0].name == "Amber"


# --- what is typed -------------------------------------------------------------------------------


def test_an_empty_search_prompts_and_searches_nothing(agent_client, department):
    ticket(department, "Printer offline")
    agent_client.get(URL)  # the session's first page: what it keeps about the user is read
    for q in ("", "   "):
        with CaptureQueriesContext(connection) as captured:
            html = page(agent_client, q).content.decode()
        assert 'id="search-prompt"' in html and 'id="search-tickets"' not in html
        read = " ".join(query["sql"] for query in captured.captured_queries)
        assert "tickets_ticket" not in read and "customers_account" not in read
    assert 'id="search-prompt"' in agent_client.get(URL).content.decode()


def test_an_over_long_search_gets_a_message(agent_client, department):
    ticket(department, "Printer offline")
    limit = SearchView.max_length
    assert page(agent_client, "p" * limit).context["searching"]
    response = page(agent_client, "printer " + "x" * limit)
    html = response.content.decode()
    assert 'id="search-too-long"' in html and f"at most {limit} characters" in html
    assert 'id="search-tickets"' not in html


@pytest.mark.parametrize(
    "q",
    [
        "<script>alert(1)</script>",
        "'; DROP TABLE x; --",
        "%_\\",
        "a & b | !c <-> d:* (e)",
        '"unclosed',
        "-",
        "#",
        "##12",
        "#-1",
        "9" * 40,
        "²",
        "①",
        "🙂",
        "！？。",
        "ｆｕｌｌ",
    ],
)
def test_odd_searches_answer_and_echo_nothing_unescaped(agent_client, department, q):
    ticket(department, "<b>Printer</b> & co", "<script>alert(1)</script>")
    html = page(agent_client, q).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "<b>Printer</b>" not in html


def test_subjects_are_escaped(agent_client, department):
    ticket(department, "<b>Printer</b> & co")
    html = page(agent_client, "printer").content.decode()
    assert "&lt;b&gt;Printer&lt;/b&gt; &amp; co" in html and "<b>Printer</b>" not in html


# --- queries -----------------------------------------------------------------------------------


def grow(department, n, start):
    plan = f.SupportPlanFactory(department=department)
    for i in range(start, start + n):
        account = f.AccountFactory(name=f"Amber {i:03d}")
        f.ContractFactory(name=f"Amber support {i:03d}", account=account, support_plan=plan)
        ticket(department, f"Amber printer offline {i}", "Amber", account=account, days_ago=i)


@pytest.mark.parametrize("who", ["agent", "administrator"])
def test_queries_do_not_grow_with_rows(request, department, who, django_assert_max_num_queries):
    client = signed_in(request.getfixturevalue(who))
    grow(department, 3, 0)
    page(client, "amber")  # warm-up: session, content types
    with CaptureQueriesContext(connection) as with_3:
        page(client, "amber")
    grow(department, 40, 3)
    with django_assert_max_num_queries(len(with_3.captured_queries)):
        response = page(client, "amber")
    assert len(response.context["tickets"]) == 25 and len(response.context["accounts"]) == 10


def test_a_search_runs_a_handful_of_queries(agent_client, department, django_assert_num_queries):
    grow(department, 30, 0)
    page(agent_client, "amber")
    # Every page's four (session, user, the user's permissions, theirs and their groups' in one
    # query, the Contracts switch); the tickets' window, the page's ids and its rows; the
    # accounts; the contracts. On PostgreSQL, the switch to plans for the word searched, in a
    # savepoint here (desk.planning: a transaction of its own outside a test).
    with django_assert_num_queries(12 if connection.vendor == "postgresql" else 9):
        page(agent_client, "amber")


# --- PostgreSQL: the index -----------------------------------------------------------------------


def test_the_character_class_is_the_migrations():
    migration = importlib.import_module("tickets.migrations.0005_search")
    assert selectors.CJK == migration.CJK


def explain(sql: str, params=None) -> str:
    """PostgreSQL's plan for ``sql`` with rows read through bitmaps of index conditions only:
    whether an index *can* answer it (on a test's few rows a sequential scan, or a walk along
    the primary key, is cheaper and would be chosen)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.postgres
def test_the_search_reads_the_full_text_index(administrator, department):
    """The tickets' window can be read from ``ticket_search_idx``: the query tests the column
    the index holds, for words and for Chinese alike. (An administrator's search joins no
    department wall, whose membership index the planner may prefer on a test's few rows.)"""
    ticket(department, "Printer offline")
    with CaptureQueriesContext(connection) as captured:
        found(administrator, "printer 打印")
    window = next(q["sql"] for q in captured.captured_queries if "search_document" in q["sql"])
    assert "ticket_search_idx" in explain(window)


@pytest.mark.postgres
def test_the_stored_document_follows_every_write_of_the_subject_and_description(
    administrator, department
):
    """The trigger writes the document however the row is written: a save, an update of the
    queryset, the service that every door calls."""
    printer = ticket(department, "Printer offline", "打印机无法连接")
    assert found(administrator, "printer 打印") == [printer.pk]
    Ticket.objects.filter(pk=printer.pk).update(subject="Scanner offline")
    assert found(administrator, "printer") == []
    assert found(administrator, "scanner 连接") == [printer.pk]
    ticket_update(
        by=administrator, ticket=Ticket.objects.get(pk=printer.pk), description="发票金额有误"
    )
    assert found(administrator, "连接") == []
    assert found(administrator, "scanner 金额") == [printer.pk]
    Ticket.objects.filter(pk=printer.pk).update(priority="urgent")  # other columns: kept
    assert found(administrator, "scanner 金额") == [printer.pk]


@pytest.mark.postgres
def test_accounts_and_contracts_read_their_trigram_indexes(administrator):
    plans = [
        explain(*queryset.query.sql_with_params())
        for queryset in (
            account_search(administrator, "amber"),
            contract_search(administrator, "amber"),
        )
    ]
    assert "account_name_trgm_idx" in plans[0], plans[0]
    assert "contract_name_trgm_idx" in plans[1] and "contract_number_trgm_idx" in plans[1], plans[1]


@pytest.mark.postgres
@pytest.mark.parametrize("word", ["打印", "印", "ab"])
def test_a_short_word_reads_the_names_pieces(administrator, word):
    """A word too short for a trigram is read from the pieces' indexes (``desk.search``), not
    by reading every account and contract."""
    plans = [
        explain(*queryset.query.sql_with_params())
        for queryset in (
            account_search(administrator, word),
            contract_search(administrator, word),
        )
    ]
    assert "account_name_pieces_idx" in plans[0], plans[0]
    assert "contract_name_pieces_idx" in plans[1], plans[1]
    assert "contract_number_pieces_idx" in plans[1], plans[1]


@pytest.mark.postgres
def test_the_pieces_are_every_one_and_two_characters_in_upper_case():
    with connection.cursor() as cursor:
        cursor.execute("SELECT desk_short_grams(%s)", ["Ab 打印"])
        (pieces,) = cursor.fetchone()
    assert sorted(pieces) == sorted(["A", "B", " ", "打", "印", "AB", "B ", " 打", "打印"])
