"""Every index a write maintains earns its keep (issue 21): a foreign key has no index of its own
where another index of its table leads with it (that index serves its lookups), and the
histories, read by record, index none of the keys a version points at."""

import pytest
from django.apps import apps
from django.db import models

from contracts.models import Contract
from tickets.models import Ticket

OURS = {"desk", "customers", "sla", "plans", "contracts", "tickets", "automation", "api"}


def _leading(model) -> set[str]:
    """The fields the model's other whole-table indexes lead with."""
    firsts = [
        index.fields[0] for index in model._meta.indexes if index.fields and not index.condition
    ]
    firsts += [
        constraint.fields[0]
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and constraint.fields
        and constraint.condition is None
    ]
    firsts += [fields[0] for fields in model._meta.unique_together]
    return {name.lstrip("-") for name in firsts}


def _ours():
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in OURS and not model._meta.auto_created
    ]


def test_no_foreign_key_is_indexed_twice():
    twice = [
        f"{model._meta.label}.{field.name}"
        for model in _ours()
        for field in model._meta.concrete_fields
        if isinstance(field, models.ForeignKey)
        and field.db_index
        and not field.unique
        and field.name in _leading(model)
    ]
    assert twice == []


def test_the_check_sees_a_duplicate():
    """The test above fails for a key indexed twice (the tickets' account, put back)."""
    field = Ticket._meta.get_field("account")
    field.db_index = True
    try:
        with pytest.raises(AssertionError):
            test_no_foreign_key_is_indexed_twice()
    finally:
        field.db_index = False


@pytest.mark.parametrize("model", [Ticket, Contract])
def test_a_history_indexes_none_of_the_keys_it_copies(model):
    history = model.history.model
    indexed = [
        field.name
        for field in history._meta.concrete_fields
        if isinstance(field, models.ForeignKey) and field.db_index and field.name != "history_user"
    ]
    assert indexed == []
