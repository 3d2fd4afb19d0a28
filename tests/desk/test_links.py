"""``desk.links.by_pk``: the address ``reverse`` writes, without walking the patterns each time."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from desk import links

NAMES = [
    "tickets:ticket_detail",
    "contracts:contract_detail",
    "customers:account_detail",
    "plans:plan_detail",
    "sla:sla_detail",
]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 42, 987_654_321, 10**12])
def test_the_same_address_as_reverse(name, pk):
    assert links.by_pk(name, pk) == reverse(name, args=[pk])


def test_under_a_script_prefix():
    set_script_prefix("/desk/")
    try:
        assert links.by_pk("tickets:ticket_detail", 7) == "/desk/tickets/7/"
    finally:
        clear_script_prefix()
    assert links.by_pk("tickets:ticket_detail", 7) == "/tickets/7/"


def test_the_models_link_through_it(db):
    from tests import factories as f

    ticket = f.TicketFactory()
    assert ticket.get_absolute_url() == reverse("tickets:ticket_detail", args=[ticket.pk])
    assert ticket.account.get_absolute_url() == f"/customers/{ticket.account.pk}/"
