"""Locking on PostgreSQL: concurrent creates can't both pass the overlap check; concurrent notice
runs never send twice. SQLite serialises writers and would hide these bugs."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from contracts import notices, services
from contracts.models import Contract
from tests import factories as f
from tests.concurrency import run_together
from tests.conftest import run_queued_tasks

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

END = datetime.date(2026, 6, 30)


def test_two_concurrent_overlapping_creates_save_only_one():
    department = f.DepartmentFactory(name="Support")
    plan = f.SupportPlanFactory(department=department)
    account = f.AccountFactory()
    owner = f.desk_admin()

    def create(number):
        def run():
            services.contract_create(
                by=owner,
                name=number,
                contract_number=number,
                account=account,
                start_date=datetime.date(2026, 1, 1),
                end_date=datetime.date(2026, 12, 31),
                support_plan=plan,
            )

        return run

    errors = run_together(create("A-1"), create("A-2"))
    assert Contract.objects.filter(account=account).count() == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert "start_date" in errors[0].message_dict


def test_a_run_while_another_holds_the_rows_skips_them_and_mail_goes_once(mailoutbox):
    contract = f.ContractFactory(
        start_date=datetime.date(2025, 7, 1), end_date=END, notify_days_before=3
    )
    contract.notify_users.set([f.UserFactory(email="w@example.com")])
    claimed = threading.Event()
    second_done = threading.Event()
    results = {}

    def first():
        with transaction.atomic():
            results["first"] = notices.send_expiry_notices(today=END)
            claimed.set()
            second_done.wait(timeout=20)

    def second():
        claimed.wait(timeout=20)
        results["second"] = notices.send_expiry_notices(today=END)
        second_done.set()

    assert run_together(first, second) == []
    assert results == {"first": 1, "second": 0}
    run_queued_tasks()
    assert len(mailoutbox) == 1
    assert notices.send_expiry_notices(today=END) == 0
    run_queued_tasks()
    assert len(mailoutbox) == 1
