"""Input that is not what a form expects never gives a 500 (issue: "No 500 from input").

- ids typed in a search box are read with ``isdecimal()``: "²" and "①" are digits to
  ``isdigit()`` but not numbers ``int()`` can read;
- the language switch follows only a path on this desk;
- dates a form or service takes lie between ``EARLIEST_DATE`` and ``LATEST_DATE``.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from desk.filters import BIGGEST_ID, as_id
from desk.validators import (
    DATE_TOO_EARLY,
    DATE_TOO_LATE,
    EARLIEST_DATE,
    LATEST_DATE,
    validate_date_in_range,
)

NOT_NUMBERS = ["²", "①", "³²", "1²", "½", "Ⅻ", "9" * 5000]


@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_a_digit_that_is_no_number_is_no_id(value):
    assert as_id(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("٤٢", 42),
        (str(BIGGEST_ID), BIGGEST_ID),
        (str(BIGGEST_ID + 1), None),
    ],
)
def test_a_decimal_number_is_an_id(value, expected):
    assert as_id(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "param"),
    [("/tickets/", "account"), ("/tickets/", "contract"), ("/contracts/", "account")],
)
@pytest.mark.parametrize("value", NOT_NUMBERS)
def test_a_list_filtered_by_a_digit_that_is_no_number_answers(admin_client, page, param, value):
    response = admin_client.get(page, {param: value})
    assert response.status_code == 200


# -- the language switch --------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "next_url",
    [
        "abc",  # no path: once a 500 (redirect() took it for a URL name)
        "login",  # a URL name is not a place to go
        "tickets:ticket_list",
        "",
        "//evil.example.com/",
        "/\\evil.example.com/",
        "https://evil.example.com/",
        "javascript:alert(1)",
        "tickets/",
        "\u2028/tickets/",
    ],
)
def test_the_language_switch_goes_home_for_anything_but_a_path_here(client, next_url):
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
@pytest.mark.parametrize("next_url", ["/tickets/", "/contracts/?status=active", "/accounts/login/"])
def test_the_language_switch_follows_a_path_here(client, next_url):
    response = client.post(reverse("set_language"), {"language": "en", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


# -- the range of dates ----------------------------------------------------------------------------


@pytest.mark.parametrize("day", [EARLIEST_DATE, LATEST_DATE, datetime.date(2026, 3, 10)])
def test_a_date_within_the_range_is_taken(day):
    validate_date_in_range(day)


@pytest.mark.parametrize(
    ("day", "message", "bound"),
    [
        (datetime.date(1899, 12, 31), DATE_TOO_EARLY, "1900-01-01"),
        (datetime.date.min, DATE_TOO_EARLY, "1900-01-01"),
        (datetime.date(2201, 1, 1), DATE_TOO_LATE, "2200-12-31"),
        (datetime.date.max, DATE_TOO_LATE, "2200-12-31"),
    ],
)
def test_a_date_out_of_range_is_refused_naming_the_bound(day, message, bound):
    with pytest.raises(ValidationError) as refused:
        validate_date_in_range(day)
    assert refused.value.messages == [message % {"limit": bound}]
    assert bound in refused.value.messages[0]
