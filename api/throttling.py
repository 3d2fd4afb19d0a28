"""Requests per token (SPEC section 12): at most ``API_RATE`` in each window of its period (a
minute for ``600/minute``), counted in the database every worker on every machine shares; beyond
it a 429 with ``Retry-After``, the seconds to the next window.

DRF's throttles keep a list of timestamps in a cache: on the database cache that is six queries a
request, and two workers reading the same list at once both write it back, one count lost. Here
a request costs one statement (``RequestCount.hit``, an upsert), and no count is lost. Windows
are fixed: a caller may send up to twice the rate across a window's edge, as with any fixed
window. Old windows are deleted by the scheduled work (``forget_old_counts``)."""

import datetime
import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from .models import ApiToken, RequestCount

KEPT = datetime.timedelta(days=1)
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"600/minute"`` as (600, 60): DRF's format, a number per second, minute, hour or day."""
    count, period = rate.split("/")
    return int(count), PERIODS[period[0]]


def caller_of(request) -> str:
    """Whose count a request adds to: its token's, else its session user's, else its address's."""
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.token_key}"
    if request.user and request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"address:{BaseThrottle().get_ident(request)}"


class PerTokenThrottle(BaseThrottle):
    def allow_request(self, request, view):
        limit, period = parse_rate(settings.API_RATE)
        now = time.time()
        window_start = int(now // period) * period
        self.seconds_left = window_start + period - now
        return RequestCount.hit(caller_of(request), window_start) <= limit

    def wait(self):
        return self.seconds_left


def forget_old_counts(now: float | None = None) -> int:
    """Delete the counts of windows that began more than a day ago; how many went."""
    cutoff = (now if now is not None else time.time()) - KEPT.total_seconds()
    deleted, _counts = RequestCount.objects.filter(window_start__lt=cutoff).delete()
    return deleted
