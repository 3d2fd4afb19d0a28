"""The back office's contract and ledger lists: their date drill-down takes no year out of range
(Django steps a year or a month past it: year 9999 was a 500)."""

import pytest

from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

LISTS = {
    "/admin/contracts/contract/": "start_date",
    "/admin/contracts/creditentry/": "created_at",
}


@pytest.fixture
def back_office():
    return signed_in(f.UserFactory(username="root", is_superuser=True, is_staff=True))


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize(
    "drill_down",
    [
        {"year": "9999"},  # once a 500
        {"year": "9999", "month": "12"},  # once a 500
        {"year": "1899"},
        {"year": "2201"},
        {"year": "²"},
        {"year": "99999"},
        {"year": "9" * 5000},
    ],
)
def test_a_year_out_of_range_goes_back_to_the_list(back_office, path, drill_down):
    field = LISTS[path]
    response = back_office.get(path, {f"{field}__{part}": v for part, v in drill_down.items()})
    assert response.status_code == 302
    assert response["Location"] == f"{path}?e=1"


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("year", ["1900", "2026", "2200"])
def test_a_year_in_range_drills_down(back_office, path, year):
    field = LISTS[path]
    response = back_office.get(path, {f"{field}__year": year, f"{field}__month": "12"})
    assert response.status_code == 200
