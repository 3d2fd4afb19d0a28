"""The cron command: escalations and expiry notices, each sent once however often it runs."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from desk.models import OutgoingEmail
from sla.models import EscalationLevel
from tests import factories as f
from tests.conftest import run_queued_tasks, then_the_workers
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
        with then_the_workers():
            run()

    subjects = sorted(message.subject for message in mailoutbox)
    assert len(subjects) == 2, subjects
    assert any(contract.contract_number in s for s in subjects)
    assert not any(later.contract_number in s for s in subjects)
    assert Ticket.objects.get().escalations.count() == 1


def desk_with_due_work(department, reader):
    """A contract whose expiry notice is due and a ticket whose escalation is due, in
    ``department``, both telling ``reader``."""
    contract = f.ContractFactory(
        support_plan__department=department,
        end_date=timezone.localdate() + datetime.timedelta(days=5),
        notify_days_before=10,
    )
    contract.notify_users.set([reader])
    level = EscalationLevel.objects.create(
        sla=contract.support_plan.sla, level=1, target="response", action="notify"
    )
    level.notify_users.set([reader])
    ticket = f.TicketFactory(
        department=department,
        sla=contract.support_plan.sla,
        contract=contract,
        response_due_at=timezone.now() - datetime.timedelta(minutes=5),
        resolution_due_at=timezone.now() + datetime.timedelta(hours=5),
    )
    return contract, ticket


class FailingMailServer:
    """An email backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_mail_outage_delays_each_notice_and_never_loses_or_doubles_it(
    settings, administrator, department, mailoutbox
):
    """Issue 14: a notice was marked sent while the mail server was down, and never sent. Now:
    down for three scheduled runs, then up: each email arrives exactly once."""
    administrator.email = "ada@example.com"
    administrator.save()
    desk_with_due_work(department, administrator)
    settings.EMAIL_BACKEND = f"{__name__}.FailingMailServer"
    for _ in range(3):
        with then_the_workers():
            run()
        # The retries wait their back-off; let the clock run on to them.
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    queued = OutgoingEmail.objects.get(subject__startswith="Contract")
    assert queued.sent_at is None and queued.attempts == 3
    assert "the mail server is down" in queued.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for _ in range(3):
        with then_the_workers():
            run()
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    assert sorted(m.subject.split()[0] for m in mailoutbox) == ["Contract", "Ticket"]
    assert OutgoingEmail.objects.filter(sent_at=None).count() == 0


def test_a_poisoned_sla_leaves_the_other_departments_work_on_time(
    administrator, department, other_department, mailoutbox, caplog
):
    """Issue 14: an escalation level of 1,100,000,000 minutes (saved before offsets were bounded)
    stopped every run for every department."""
    administrator.email = "ada@example.com"
    administrator.save()
    poisoned, _ = desk_with_due_work(other_department, administrator)
    EscalationLevel.objects.filter(sla=poisoned.support_plan.sla).update(
        offset_minutes=1_100_000_000
    )
    contract, ticket = desk_with_due_work(department, administrator)

    with then_the_workers():
        report = run()

    assert "1 escalation(s) fired; 2 expiry notice(s) sent; 0 time-based rule" in report
    subjects = [m.subject for m in mailoutbox]
    assert any(f"#{ticket.pk}" in s for s in subjects)
    assert any(contract.contract_number in s for s in subjects)
    assert any("out of range" in r.getMessage() for r in caplog.records)


def test_a_failing_step_does_not_stop_the_next_and_cron_hears_of_it(
    administrator, department, mailoutbox, monkeypatch
):
    from django.core.management.base import CommandError

    from tickets import escalations

    administrator.email = "ada@example.com"
    administrator.save()
    contract, _ = desk_with_due_work(department, administrator)

    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(escalations, "run", broken)
    with pytest.raises(CommandError, match="escalation"):
        run()
    run_queued_tasks()
    assert [m for m in mailoutbox if contract.contract_number in m.subject]
