"""Every picker of people names them as the pages do: full name, else username."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from desk.people import person_name
from sla.forms import EscalationLevelForm
from tests import factories as f

pytestmark = pytest.mark.django_db


def labels(field) -> list[str]:
    return [str(label) for value, label in field.choices if value != ""]


def test_person_name_is_the_full_name_else_the_username():
    assert person_name(f.UserFactory(first_name="Ada", last_name="Lovelace")) == "Ada Lovelace"
    assert person_name(f.UserFactory(username="nameless", first_name="", last_name="")) == (
        "nameless"
    )


def test_the_contract_form_names_owner_and_notified_people(admin_client, administrator):
    form = admin_client.get(reverse("contracts:contract_create")).context["form"]
    for name in ("owner", "notify_users"):
        assert labels(form.fields[name]) == [administrator.get_full_name()], name


def test_the_escalation_form_names_the_people_to_notify_and_reassign_to():
    user = f.UserFactory(first_name="Ada", last_name="Lovelace")
    form = EscalationLevelForm(users=get_user_model().objects.filter(pk=user.pk))
    for name in ("notify_users", "reassign_to"):
        assert labels(form.fields[name]) == ["Ada Lovelace"], name
