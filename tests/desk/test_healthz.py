"""/healthz for a load balancer: the database answers and the task queue is worked off."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from desk import mail
from tests.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db


def queue_one():
    mail.queue([("Subject", "Body", "desk@example.com", ["ada@example.com"])])


def test_healthy_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "database": "ok",
        "queue": {"ready": 0, "oldest_wait_seconds": 0, "unsent_emails": 0},
        "status": "ok",
    }


def test_a_fresh_backlog_is_healthy(client):
    queue_one()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["queue"]["ready"] == 1


def test_a_queue_nobody_works_off_is_unhealthy(client):
    queue_one()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - datetime.timedelta(minutes=30))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["queue"]["oldest_wait_seconds"] >= 30 * 60
    run_queued_tasks()
    assert client.get("/healthz").status_code == 200
