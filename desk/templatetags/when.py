"""Times as the reader reads them."""

import functools

from django import template
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@register.filter
def to_the_second(value):
    """A moment in the reader's zone and language, to the second (ledger rows: two entries a
    minute apart must read apart). Each language's DATETIME_FORMAT ends with the minutes."""
    if not value:
        return ""
    return date_format(timezone.localtime(value), f"{get_format('DATETIME_FORMAT')}:s")


@register.simple_tag
def time_zone_name():
    """The zone the page's times are in: the reader's chosen one, or the desk's."""
    return timezone.get_current_timezone_name()


@register.filter
def moment(value):
    """``<time datetime="…">`` and the short date and time, in the reader's zone and language:
    what ``|date:'c'`` and ``|date:"SHORT_DATETIME_FORMAT"`` wrote, from one conversion to the
    zone (a list shows one a row). Empty for no moment."""
    if not value:
        return ""
    return _moment(value, timezone.get_current_timezone(), get_language())


# The same moment is written again and again (a list's first page shows the same due times to
# every agent until they change), and Django's date formatting takes 14 µs of the 22 µs of one:
# each moment is written once per zone and language (the desk's formats are fixed,
# config/formats), a page of 50 in 0.1 ms rather than 1.1.
@functools.lru_cache(maxsize=8192)
def _moment(value, zone, language):
    local = timezone.localtime(value, zone)
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(),
        date_format(local, "SHORT_DATETIME_FORMAT"),
    )
