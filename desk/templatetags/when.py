"""Times as the reader reads them."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format, get_format

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
