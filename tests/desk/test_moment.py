"""``|moment`` writes what the two ``date`` filters wrote, in the reader's zone and language."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

TWO_FILTERS = Template(
    """<time datetime="{{ at|date:'c' }}">{{ at|date:"SHORT_DATETIME_FORMAT" }}</time>"""
)
ONE_FILTER = Template("{% load when %}{{ at|moment }}")


@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/New_York"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_same_markup_as_the_date_filters(zone, language):
    at = datetime.datetime(2026, 3, 10, 20, 5, 7, tzinfo=datetime.UTC)
    with timezone.override(zone), translation.override(language):
        context = Context({"at": at})
        assert ONE_FILTER.render(context) == TWO_FILTERS.render(context)


def test_nothing_for_no_moment():
    assert ONE_FILTER.render(Context({"at": None})) == ""
