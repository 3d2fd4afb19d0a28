"""The API's own records: personal tokens and the answers kept for an ``Idempotency-Key``."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from desk import counters


class ApiToken(AbstractAuthToken):
    """A personal API token (django-rest-knox's, with a name): only its SHA-512 digest is stored,
    and ``token_key`` (its first characters) identifies it on the preferences page. Revoking
    deletes it; knox deletes an expired one when it is next presented."""

    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return self.name


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an ``Idempotency-Key`` (kept 24 hours): a repeat with
    the same key and body gets it again, and creates nothing more."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the method, path and body
    status_code = models.PositiveSmallIntegerField()
    body = models.JSONField(encoder=DjangoJSONEncoder, null=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotentrequest_unique")
        ]

    def __str__(self):
        return self.key


class RequestCount(models.Model):
    """How many requests a token (or a session's user) made in one window of ``API_RATE``'s
    period: one row per caller and window, counted by one atomic statement (``hit``)."""

    caller = models.CharField(max_length=100)
    window_start = models.BigIntegerField()  # in seconds since the epoch
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["caller", "window_start"], name="api_requestcount_unique"
            )
        ]

    def __str__(self):
        return f"{self.caller} @ {self.window_start}: {self.hits}"

    @classmethod
    def hit(cls, caller: str, window_start: int) -> int:
        """Count one more request of ``caller`` in the window starting at ``window_start``; how
        many it has made there, this one included (``desk.counters``: two workers counting at
        once both count)."""
        return counters.add(
            cls, key={"caller": caller, "window_start": window_start}, field="hits", amount=1
        )
