"""Expiry notices: one email, N days before the end date, never twice; a new end date re-arms."""

import datetime

import pytest

from contracts import notices, services
from contracts.models import Contract
from desk.models import Preferences
from tests import factories as f
from tests.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db

END = datetime.date(2026, 6, 30)


@pytest.fixture
def watcher(db):
    return f.UserFactory(username="watcher", email="watcher@example.com")


@pytest.fixture
def contract(watcher):
    contract = f.ContractFactory(
        start_date=datetime.date(2025, 7, 1), end_date=END, notify_days_before=14
    )
    contract.notify_users.set([watcher, f.UserFactory(username="boss", email="boss@example.com")])
    return contract


def run(today, capture):
    """A scheduled run, then the task workers (who deliver what it queued)."""
    with capture(execute=True):
        sent = notices.send_expiry_notices(today=today)
    run_queued_tasks()
    return sent


def recipients(outbox) -> list[str]:
    """Everyone a message went to: each reader gets one of their own."""
    assert all(len(message.to) == 1 for message in outbox)
    return sorted(message.to[0] for message in outbox)


def test_notice_is_sent_once_on_the_first_day_of_the_window(
    contract, mailoutbox, django_capture_on_commit_callbacks
):
    assert run(END - datetime.timedelta(days=15), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []
    assert run(END - datetime.timedelta(days=14), django_capture_on_commit_callbacks) == 1
    assert recipients(mailoutbox) == ["boss@example.com", "watcher@example.com"]
    assert all(contract.contract_number in message.subject for message in mailoutbox)
    for day in (13, 13, 5, 0):
        assert run(END - datetime.timedelta(days=day), django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 2
    contract.refresh_from_db()
    assert contract.expiry_notice_sent_for == END


def test_a_late_first_run_inside_the_window_still_sends_but_not_after_the_end(
    contract, mailoutbox, django_capture_on_commit_callbacks
):
    assert run(END + datetime.timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert run(END, django_capture_on_commit_callbacks) == 1
    assert len(mailoutbox) == 2


def test_contract_ending_after_the_window_gets_nothing(
    contract, mailoutbox, django_capture_on_commit_callbacks
):
    later = f.ContractFactory(
        start_date=datetime.date(2025, 7, 1),
        end_date=END + datetime.timedelta(days=60),
        notify_days_before=14,
    )
    later.notify_users.set(contract.notify_users.all())
    assert run(END - datetime.timedelta(days=10), django_capture_on_commit_callbacks) == 1
    assert len(mailoutbox) == 2
    assert all(contract.contract_number in message.subject for message in mailoutbox)
    later.refresh_from_db()
    assert later.expiry_notice_sent_for is None


def test_no_notice_without_days_or_without_users(
    watcher, mailoutbox, django_capture_on_commit_callbacks
):
    f.ContractFactory(end_date=END, start_date=datetime.date(2025, 7, 1), notify_days_before=14)
    no_days = f.ContractFactory(end_date=END, start_date=datetime.date(2025, 7, 1))
    no_days.notify_users.set([watcher])
    assert run(END - datetime.timedelta(days=3), django_capture_on_commit_callbacks) == 0
    assert mailoutbox == []


def test_changing_the_end_date_re_arms_the_notice(
    contract, mailoutbox, django_capture_on_commit_callbacks
):
    assert run(END - datetime.timedelta(days=14), django_capture_on_commit_callbacks) == 1
    new_end = END + datetime.timedelta(days=365)
    services.contract_update(by=f.desk_admin(), contract=contract, end_date=new_end)
    assert run(END - datetime.timedelta(days=13), django_capture_on_commit_callbacks) == 0
    assert run(new_end - datetime.timedelta(days=14), django_capture_on_commit_callbacks) == 1
    assert len(mailoutbox) == 4
    assert "Jun 30, 2027" in mailoutbox[3].subject
    assert run(new_end - datetime.timedelta(days=1), django_capture_on_commit_callbacks) == 0
    assert len(mailoutbox) == 4


def test_each_reader_gets_the_notice_in_their_language_and_inactive_users_none(
    contract, watcher, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.DESK_URL = "https://desk.example.com"
    Preferences.objects.create(user=watcher, language="zh-hans")
    contract.notify_users.add(
        f.UserFactory(username="gone", email="gone@example.com", is_active=False)
    )
    assert run(END, django_capture_on_commit_callbacks) == 1
    by_reader = {message.to[0]: message for message in mailoutbox}
    assert sorted(by_reader) == ["boss@example.com", "watcher@example.com"]
    assert (
        by_reader["boss@example.com"].subject
        == f"Contract {contract.contract_number} ends on Jun 30, 2026"
    )
    chinese = by_reader["watcher@example.com"]
    assert chinese.subject == f"合同 {contract.contract_number} 将于 2026年6月30日 到期"
    assert contract.account.name in chinese.body and "支持计划" in chinese.body
    link = f"https://desk.example.com{contract.get_absolute_url()}"
    assert by_reader["boss@example.com"].body.endswith(f"Open the contract: {link}")
    assert chinese.body.rstrip().endswith(link)


def test_marking_a_notice_adds_no_history_row(contract, django_capture_on_commit_callbacks):
    before = contract.history.count()
    run(END, django_capture_on_commit_callbacks)
    assert contract.history.count() == before


def test_nothing_is_sent_when_the_transaction_rolls_back(contract, mailoutbox):
    # The mail is queued in the transaction that records the notice: it rolls back with it.
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        notices.send_expiry_notices(today=END)
        raise RuntimeError
    run_queued_tasks()
    assert mailoutbox == []
    contract.refresh_from_db()
    assert contract.expiry_notice_sent_for is None


def test_finding_candidates_takes_constant_queries(
    watcher, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for _ in range(30):
        c = f.ContractFactory(
            end_date=END, start_date=datetime.date(2025, 7, 1), notify_days_before=5
        )
        c.notify_users.set([watcher])
    # The candidates, their readers, the mark, and the outbox with its one delivery task.
    with django_assert_max_num_queries(8), django_capture_on_commit_callbacks(execute=False):
        assert notices.send_expiry_notices(today=END) == 30
    assert Contract.objects.filter(expiry_notice_sent_for=END).count() == 30
