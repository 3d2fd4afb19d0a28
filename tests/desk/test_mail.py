"""The outbox and its delivery task (SPEC section 13): queued with the change that promises the
email, delivered once, retried with back-off while the mail server is down."""

import datetime

import pytest
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from desk import mail, tasks
from desk.models import OutgoingEmail
from tests import factories as f
from tests.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db

MESSAGE = ("Contract C-1 ends soon", "Body", "desk@example.com", ["ada@example.com"])


class DownMailServer:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("connection refused")


def test_an_email_is_queued_with_the_change_and_rolls_back_with_it(mailoutbox):
    with pytest.raises(RuntimeError), transaction.atomic():
        mail.queue([MESSAGE])
        raise RuntimeError
    assert not OutgoingEmail.objects.exists() and not DBTaskResult.objects.exists()
    assert run_queued_tasks() == 0 and mailoutbox == []


def test_a_queued_email_is_delivered_once(mailoutbox):
    (email,) = mail.queue([MESSAGE])
    assert mailoutbox == []  # nothing leaves the request or job that queued it
    assert run_queued_tasks() == 1
    assert [m.to for m in mailoutbox] == [["ada@example.com"]]
    tasks.deliver_emails.enqueue([email.pk])  # queued again by mistake: still once
    run_queued_tasks()
    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1


def test_the_back_off_doubles_up_to_an_hour():
    delays = [tasks.retry_delay(n) for n in (1, 2, 3, 7, 30)]
    minutes = [int(d / datetime.timedelta(minutes=1)) for d in delays]
    assert minutes == [1, 2, 4, 60, 60]


def test_a_failure_is_recorded_and_retried_later(settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    (email,) = mail.queue([MESSAGE])
    run_queued_tasks()
    email.refresh_from_db()
    assert (email.sent_at, email.attempts) == (None, 1)
    assert "connection refused" in email.last_error
    failed, retry = DBTaskResult.objects.order_by("enqueued_at")
    assert failed.status == "FAILED" and retry.status == "READY"
    assert retry.run_after > failed.finished_at  # not before the back-off
    assert run_queued_tasks() == 0  # not yet


def test_after_the_last_attempt_the_back_office_sends_it_again(settings, mailoutbox):
    settings.EMAIL_BACKEND = f"{__name__}.DownMailServer"
    (email,) = mail.queue([MESSAGE])
    OutgoingEmail.objects.filter(pk=email.pk).update(attempts=tasks.MAX_ATTEMPTS - 1)
    run_queued_tasks()
    assert not DBTaskResult.objects.filter(status="READY").exists()  # given up

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    from django.test import Client

    client = Client()
    client.force_login(admin)
    response = client.post(
        "/admin/desk/outgoingemail/",
        {"action": "send_again", "_selected_action": [email.pk], "index": 0},
    )
    assert response.status_code == 302
    run_queued_tasks()
    assert [m.subject for m in mailoutbox] == ["Contract C-1 ends soon"]
