"""Who is acting: the signed-in user of the current request, or None for commands and cron."""

from simple_history.models import HistoricalRecords


def current_user():
    # simple_history's HistoryRequestMiddleware keeps the current request for the history rows;
    # the ledger reads the same, so the admin, the pages and the history agree on who did it.
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
