"""``Idempotency-Key`` on POSTs (SPEC section 12): a request repeated with the same key (a retry
after a lost answer) gets the first answer again and creates nothing more.

The key is claimed first, in the transaction of the write itself: a repeat arriving while the
first is still running waits on the key's unique index, then finds the first answer. A refused
request (4xx) keeps nothing, so the same key can be sent again once the input is put right.
Answers are kept 24 hours (``forget_old_answers`` runs with the scheduled work).
"""

import datetime
import functools
import hashlib
import json
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.response import Response

from .models import IdempotentRequest

HEADER = "Idempotency-Key"
KEPT = datetime.timedelta(hours=24)
KEY_PATTERN = "^[ -~]{1,255}$"  # printable ASCII, as an HTTP header carries it
KEY_INVALID = _("An Idempotency-Key is 1 to 255 printable ASCII characters.")
KEY_REUSED = _(
    "This Idempotency-Key was already used with another request. Send a new key for a new request."
)
REPLAYED = "Idempotent-Replayed"


class KeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = KEY_REUSED
    default_code = "idempotency_key_reused"


def _fingerprint(request) -> str:
    data = request.data
    if hasattr(data, "lists"):  # a form's QueryDict
        data = dict(data.lists())
    text = json.dumps([request.method, request.path, data], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _replay(stored: IdempotentRequest, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        raise KeyReused()
    headers = {REPLAYED: "true"}
    if stored.location:
        headers["Location"] = stored.location
    return Response(stored.body, status=stored.status_code, headers=headers)


def idempotent(handler):
    """Decorate a view's POST handler (``create`` or a POST action)."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not re.fullmatch(KEY_PATTERN, key):
            raise exceptions.ValidationError({HEADER: [KEY_INVALID]})
        fingerprint = _fingerprint(request)
        mine = IdempotentRequest.objects.filter(user=request.user, key=key)
        mine.filter(created_at__lt=timezone.now() - KEPT).delete()
        stored = mine.first()
        if stored is not None:
            return _replay(stored, fingerprint)
        try:
            with transaction.atomic():
                claim = IdempotentRequest.objects.create(
                    user=request.user, key=key, fingerprint=fingerprint, status_code=0
                )
                response = handler(view, request, *args, **kwargs)
                if response.status_code >= 400:
                    transaction.set_rollback(True)  # nothing kept: the key may be sent again
                    return response
                claim.status_code = response.status_code
                claim.body = response.data
                claim.location = response.headers.get("Location", "")
                claim.save(update_fields=["status_code", "body", "location"])
                return response
        except IntegrityError:
            stored = mine.first()
            if stored is None:
                raise
            return _replay(stored, fingerprint)

    wrapper.idempotent = True  # type: ignore[attr-defined]
    return wrapper


def forget_old_answers(now: datetime.datetime | None = None) -> int:
    """Delete the answers older than 24 hours; how many went."""
    cutoff = (now or timezone.now()) - KEPT
    deleted, _counts = IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()
    return deleted
