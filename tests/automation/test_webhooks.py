"""A rule's webhook (SPEC section 10 and 13): a signed JSON POST to a real endpoint on this
machine, tried again with back-off until it is accepted or gives up, every attempt logged; two
workers never post one attempt twice."""

import datetime
import hashlib
import hmac
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from automation import engine, services, webhooks
from automation.models import Firing, Module, Rule, WebhookAttempt, WebhookDelivery
from desk.choices import Priority
from tests import factories as f
from tests.concurrency import run_together
from tests.conftest import run_queued_tasks
from tickets.services import ticket_create

DELIVER = "automation.tasks.deliver_webhook"


class Endpoint:
    """An HTTP endpoint on 127.0.0.1 that answers each POST with the next status of ``answers``
    (the last one for ever after), after ``delay`` seconds, and keeps what it was sent."""

    def __init__(self, answers, delay=0.0):
        self.answers = list(answers)
        self.delay = delay
        self.received: list[tuple[dict, bytes]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                endpoint.received.append((dict(self.headers), body))
                time.sleep(endpoint.delay)
                status = (
                    endpoint.answers.pop(0) if len(endpoint.answers) > 1 else endpoint.answers[0]
                )
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def webhook_rule(by, department, url) -> Rule:
    return services.rule_create(
        by=by,
        department=department,
        module=Module.TICKETS,
        name="Tell the CRM",
        trigger=Rule.Trigger.CREATED,
        webhook_url=url,
    )


def retries():
    return DBTaskResult.objects.filter(task_path=DELIVER, status="READY")


@pytest.mark.django_db
def test_a_webhook_refused_three_times_is_delivered_on_the_fourth_attempt(
    administrator, department
):
    account = f.AccountFactory(name="Acme")
    with Endpoint([500, 500, 500, 200]) as endpoint:
        rule = webhook_rule(administrator, department, endpoint.url)
        ticket = ticket_create(
            by=administrator,
            subject="Printer on fire",
            account=account,
            department=department,
            priority=Priority.URGENT,
        )
        run_queued_tasks()  # the rule fires; the first attempt is made at once
        delays = []
        for _ in range(3):
            (retry,) = retries()
            last = WebhookAttempt.objects.latest("at", "pk")
            delays.append(retry.run_after - last.at)
            assert run_queued_tasks() == 0  # not before its time
            retries().update(run_after=timezone.now())
            run_queued_tasks()

    (delivery,) = WebhookDelivery.objects.all()
    assert delivery.delivered_at is not None and delivery.gave_up_at is None
    assert delivery.attempts == 4
    log = list(delivery.attempt_log.order_by("at", "pk"))
    assert [a.status_code for a in log] == [500, 500, 500, 200]
    assert [a.accepted for a in log] == [False, False, False, True]
    assert all(a.at is not None for a in log)
    assert [a.at for a in log] == sorted(a.at for a in log)
    assert not retries().exists()

    # Back-off: 1, 2, 4 minutes after each failed attempt.
    for waited, expected in zip(delays, [webhooks.retry_delay(n) for n in (1, 2, 3)], strict=True):
        assert abs(waited - expected) < datetime.timedelta(seconds=5)
    assert [webhooks.retry_delay(n) for n in (1, 2, 3)] == [
        datetime.timedelta(minutes=m) for m in (1, 2, 4)
    ]

    # Every attempt posts the same signed body.
    assert len(endpoint.received) == 4
    bodies = {body for _headers, body in endpoint.received}
    assert bodies == {delivery.body.encode()}
    for headers, body in endpoint.received:
        expected = (
            "sha256=" + hmac.new(rule.webhook_secret.encode(), body, hashlib.sha256).hexdigest()
        )
        assert headers["X-Desk-Signature-256"] == expected
        assert headers["X-Desk-Delivery"] == str(delivery.pk)
        assert headers["Content-Type"] == "application/json"
    sent = json.loads(bodies.pop())
    assert sent["rule"] == {"id": rule.pk, "name": "Tell the CRM"}
    assert sent["trigger"] == "created"
    assert sent["ticket"]["id"] == ticket.pk
    assert sent["ticket"]["subject"] == "Printer on fire"
    assert sent["ticket"]["priority"] == "urgent"
    assert sent["ticket"]["account"] == {"id": account.pk, "name": "Acme"}
    (firing,) = Firing.objects.filter(rule=rule)
    assert sent["event"] == str(firing.event)
    assert firing.actions == [
        {"action": "webhook", "ok": True, "detail": {"url": endpoint.url, "delivery": delivery.pk}}
    ]


def test_the_back_off_doubles_up_to_an_hour():
    minutes = [webhooks.retry_delay(n) / datetime.timedelta(minutes=1) for n in range(1, 11)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60, 60]
    assert webhooks.retry_delay(10_000) == datetime.timedelta(hours=1)


def make_delivery(by, department, url) -> WebhookDelivery:
    """A delivery queued by a firing, not yet attempted."""
    rule = webhook_rule(by, department, url)
    ticket = ticket_create(
        by=by, subject="Printer", account=f.AccountFactory(), department=department
    )
    # Run here what the queued run would run in a worker.
    DBTaskResult.objects.filter(task_path="automation.tasks.run_workflow_rules").delete()
    event = engine.Event(
        module=Module.TICKETS,
        record_id=ticket.pk,
        department_id=department.pk,
        created=True,
    )
    (firing,) = (x for x in engine.run(event) if x.rule_id == rule.pk)
    return firing.deliveries.get()


@pytest.mark.django_db
def test_a_webhook_never_accepted_gives_up_after_the_last_attempt(administrator, department):
    with Endpoint([503]) as endpoint:
        delivery = make_delivery(administrator, department, endpoint.url)
        outcomes = [webhooks.attempt(delivery.pk) for _ in range(webhooks.MAX_ATTEMPTS)]
        again = webhooks.attempt(delivery.pk)

    assert [o.retry_in for o in outcomes[:-1]] == [
        webhooks.retry_delay(n) for n in range(1, webhooks.MAX_ATTEMPTS)
    ]
    last = outcomes[-1]
    assert last.failed and last.retry_in is None
    assert last.message == f"gave up after {webhooks.MAX_ATTEMPTS} attempts: HTTP 503"
    delivery.refresh_from_db()
    assert delivery.gave_up_at is not None and delivery.delivered_at is None
    assert delivery.attempts == webhooks.MAX_ATTEMPTS
    assert again.message == "nothing to deliver"
    assert delivery.attempt_log.count() == webhooks.MAX_ATTEMPTS == len(endpoint.received)


@pytest.mark.django_db
def test_the_task_queues_the_next_attempt_and_records_the_failure(administrator, department):
    with Endpoint([500]) as endpoint:
        delivery = make_delivery(administrator, department, endpoint.url)
        run_queued_tasks()
    first = DBTaskResult.objects.filter(task_path=DELIVER).order_by("enqueued_at")
    assert [r.status for r in first] == ["FAILED", "READY"]
    assert "attempt 1 failed: HTTP 500" in first[0].traceback
    assert first[1].args_kwargs["args"] == [delivery.pk]


@pytest.mark.django_db
def test_a_refused_connection_is_logged_as_an_error_attempt(administrator, department):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    delivery = make_delivery(administrator, department, f"http://127.0.0.1:{port}/hook")

    outcome = webhooks.attempt(delivery.pk)

    assert outcome.failed and outcome.retry_in == webhooks.retry_delay(1)
    (logged,) = delivery.attempt_log.all()
    assert logged.status_code is None and not logged.accepted
    assert "refused" in logged.error.lower()
    assert logged.at is not None
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.delivered_at, delivery.gave_up_at) == (1, None, None)


# --- two workers ----------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_post_the_same_attempt_twice():
    department = f.DepartmentFactory(name="Support")
    with Endpoint([200], delay=1.0) as endpoint:
        delivery = make_delivery(f.desk_admin(), department, endpoint.url)
        outcomes = []

        def work():
            outcomes.append(webhooks.attempt(delivery.pk).message)

        errors = run_together(work, work)

    assert errors == []
    assert sorted(outcomes) == ["delivered (HTTP 200)", "nothing to deliver"]
    assert len(endpoint.received) == 1
    assert WebhookAttempt.objects.filter(delivery=delivery).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_post_two_deliveries_of_one_rule_at_once():
    """The lock is the delivery's row only: a worker posting one delivery of a rule does not make
    another worker skip (and so drop) another delivery of the same rule."""
    department = f.DepartmentFactory(name="Support")
    boss = f.desk_admin()
    with Endpoint([200], delay=1.0) as endpoint:
        first = make_delivery(boss, department, endpoint.url)
        rule = first.firing.rule
        ticket = ticket_create(
            by=boss, subject="Another", account=f.AccountFactory(), department=department
        )
        event = engine.Event(
            module=Module.TICKETS, record_id=ticket.pk, department_id=department.pk, created=True
        )
        (firing,) = (x for x in engine.run(event) if x.rule_id == rule.pk)
        second = firing.deliveries.get()
        outcomes = []

        def work(delivery):
            return lambda: outcomes.append(webhooks.attempt(delivery.pk).message)

        errors = run_together(work(first), work(second))

    assert errors == []
    assert outcomes == ["delivered (HTTP 200)"] * 2
    assert len(endpoint.received) == 2
    assert WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == 2
