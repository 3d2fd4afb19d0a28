"""The cron command: escalations and expiry notices, each sent once however often it runs."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from sla.models import EscalationLevel
from tests import factories as f
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def run():
    out = io.StringIO()
    call_command("run_scheduled_work", stdout=out)
    return out.getvalue()


def test_each_notice_is_sent_once_across_runs(
    administrator, department, mailoutbox, django_capture_on_commit_callbacks
):
    administrator.email = "ada@example.com"
    administrator.save()
    contract = f.ContractFactory(
        support_plan__department=department,
        end_date=timezone.localdate() + datetime.timedelta(days=5),
        notify_days_before=10,
    )
    contract.notify_users.set([administrator])
    later = f.ContractFactory(
        support_plan__department=department,
        end_date=timezone.localdate() + datetime.timedelta(days=60),
        notify_days_before=10,
    )
    later.notify_users.set([administrator])
    level = EscalationLevel.objects.create(
        sla=contract.support_plan.sla,
        level=1,
        target="response",
        offset_minutes=0,
        action="notify",
    )
    level.notify_users.set([administrator])
    f.TicketFactory(
        department=department,
        sla=contract.support_plan.sla,
        contract=contract,
        response_due_at=timezone.now() - datetime.timedelta(minutes=5),
        resolution_due_at=timezone.now() + datetime.timedelta(hours=5),
    )

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            run()

    subjects = sorted(message.subject for message in mailoutbox)
    assert len(subjects) == 2, subjects
    assert any(contract.contract_number in s for s in subjects)
    assert not any(later.contract_number in s for s in subjects)
    assert Ticket.objects.get().escalations.count() == 1
