"""Times as the reader reads them."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.html import format_html

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
    local = timezone.localtime(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(),
        date_format(local, "SHORT_DATETIME_FORMAT"),
    )
