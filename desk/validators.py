import datetime
import zoneinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Every date a form or a service accepts lies in this range: wide enough for any contract,
# holiday or report, narrow enough that date arithmetic on it (credit cycles, notices, usage
# periods, a century of "expiring within") never leaves the calendar Python can count in.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2200, 12, 31)
DATE_TOO_EARLY = _("Enter a date on or after %(limit)s.")
DATE_TOO_LATE = _("Enter a date on or before %(limit)s.")


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_date_in_range(value: datetime.date) -> None:
    """Refuse a date before ``EARLIEST_DATE`` or after ``LATEST_DATE``, naming the bound."""
    if value < EARLIEST_DATE:
        raise ValidationError(
            DATE_TOO_EARLY, code="date_too_early", params={"limit": EARLIEST_DATE.isoformat()}
        )
    if value > LATEST_DATE:
        raise ValidationError(
            DATE_TOO_LATE, code="date_too_late", params={"limit": LATEST_DATE.isoformat()}
        )


def date_input_attrs() -> dict[str, str]:
    """The attributes of an ``<input type="date">`` that keeps the browser's picker in range."""
    return {"type": "date", "min": EARLIEST_DATE.isoformat(), "max": LATEST_DATE.isoformat()}
