"""Webhook delivery: a signed JSON POST, tried again with back-off until it is accepted.

The body is signed with HMAC-SHA256 under the rule's secret; the receiver checks the header
``X-Desk-Signature-256: sha256=<hex>`` against its copy of the secret (the rule's page shows it).
``X-Desk-Delivery`` names the delivery, the same on every attempt, so that a receiver can drop a
repeat. Any 2xx answer is accepted; anything else (another status, a timeout, a refused
connection) is an attempt logged with its status or error and time, and another is queued
after 1, 2, 4, … minutes, at most an hour apart, ``MAX_ATTEMPTS`` in all.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import WebhookAttempt, WebhookDelivery

SIGNATURE_HEADER = "X-Desk-Signature-256"
TIMEOUT_SECONDS = 10
MAX_ATTEMPTS = 10
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_WAIT = datetime.timedelta(hours=1)


class WebhookFailed(Exception):
    """The endpoint did not accept the webhook (another attempt may be queued)."""


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_delay(attempts: int) -> datetime.timedelta:
    return min(FIRST_RETRY * 2 ** min(attempts - 1, 20), LONGEST_WAIT)


@dataclass(frozen=True)
class Outcome:
    message: str
    failed: bool = False
    retry_in: datetime.timedelta | None = None


def attempt(delivery_id: int) -> Outcome:
    """One attempt at ``delivery_id``, with the delivery's row locked (another worker holding it
    is trying it: this one does nothing)."""
    with transaction.atomic():
        delivery = (
            # Only the delivery's row (``of``): the joined firing and rule stay unlocked, so a
            # worker posting another delivery of the same rule, or an administrator saving the
            # rule, never makes this one skip (and drop) a delivery nobody else is trying.
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("firing__rule")
            .filter(pk=delivery_id, delivered_at__isnull=True, gave_up_at__isnull=True)
            .first()
        )
        if delivery is None:
            return Outcome("nothing to deliver")
        body = delivery.body.encode()
        request = urllib.request.Request(
            delivery.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "SupportDesk-Webhook/1",
                "X-Desk-Delivery": str(delivery.pk),
                "X-Desk-Event": str(delivery.firing.event),
                SIGNATURE_HEADER: signature(delivery.firing.rule.webhook_secret, body),
            },
        )
        started = time.monotonic()
        status, error = None, ""
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                status = response.status
        except urllib.error.HTTPError as refusal:
            status = refusal.code
        except Exception as failure:  # noqa: BLE001 - any failure to reach it is retried
            error = f"{type(failure).__name__}: {failure}"[:500]
        duration = int((time.monotonic() - started) * 1000)
        WebhookAttempt.objects.create(
            delivery=delivery, status_code=status, error=error, duration_ms=duration
        )
        delivery.attempts += 1
        if status is not None and 200 <= status < 300:
            delivery.delivered_at = timezone.now()
            delivery.save(update_fields=["attempts", "delivered_at"])
            return Outcome(f"delivered (HTTP {status})")
        reason = f"HTTP {status}" if status is not None else error
        if delivery.attempts >= MAX_ATTEMPTS:
            delivery.gave_up_at = timezone.now()
            delivery.save(update_fields=["attempts", "gave_up_at"])
            return Outcome(f"gave up after {delivery.attempts} attempts: {reason}", failed=True)
        delivery.save(update_fields=["attempts"])
        return Outcome(
            f"attempt {delivery.attempts} failed: {reason}",
            failed=True,
            retry_in=retry_delay(delivery.attempts),
        )
