"""Two people saving one contract number at the same moment: one contract is saved, the other
person gets the form's own duplicate message on the number, never a 500 (``IntegrityError``)."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from contracts import services
from contracts.models import Contract
from tests import factories as f
from tests.concurrency import run_together, saved_meanwhile

START = datetime.date(2026, 1, 1)


def create(by, *, plan, account, number="K-1"):
    return services.contract_create(
        by=by,
        name=f"Contract {number}",
        contract_number=number,
        account=account,
        start_date=START,
        end_date=START + datetime.timedelta(days=364),
        support_plan=plan,
    )


def duplicate_refusal(by, *, plan, number) -> dict:
    """What saving a taken number answers when nobody races: ``full_clean``'s message."""
    with pytest.raises(ValidationError) as refused:
        create(by, plan=plan, account=f.AccountFactory(), number=number)
    return refused.value.message_dict


@pytest.mark.django_db
def test_a_contract_created_while_its_number_is_saved_gets_the_duplicate_message(monkeypatch):
    admin = f.desk_admin()
    plan = f.SupportPlanFactory()
    rival = f.ContractFactory.build(contract_number="K-1", support_plan=plan)
    rival.owner.save()
    rival.account.save()
    saved_meanwhile(monkeypatch, Contract, rival.save)

    with pytest.raises(ValidationError) as refused:
        create(admin, plan=plan, account=f.AccountFactory())

    assert not Contract.objects.exists()  # the rival rolled back with the refused save
    f.ContractFactory(contract_number="K-1", support_plan=plan)
    expected = duplicate_refusal(admin, plan=plan, number="K-1")
    assert set(expected) == {"contract_number"}
    assert refused.value.message_dict == expected


@pytest.mark.django_db
def test_a_contract_renumbered_while_its_number_is_saved_gets_the_duplicate_message(monkeypatch):
    admin = f.desk_admin()
    contract = f.ContractFactory(contract_number="K-1")
    rival = f.ContractFactory.build(contract_number="K-2", support_plan=contract.support_plan)
    rival.owner.save()
    rival.account.save()
    saved_meanwhile(monkeypatch, Contract, rival.save)

    with pytest.raises(ValidationError) as refused:
        services.contract_update(by=admin, contract=contract, contract_number="K-2")

    assert list(Contract.objects.values_list("contract_number", flat=True)) == ["K-1"]
    f.ContractFactory(contract_number="K-2", support_plan=contract.support_plan)
    expected = duplicate_refusal(admin, plan=contract.support_plan, number="K-2")
    assert refused.value.message_dict == expected


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_creates_of_one_number_save_one_and_refuse_the_other_as_the_form_does():
    plan = f.SupportPlanFactory()
    accounts = [f.AccountFactory(), f.AccountFactory()]  # no account lock serialises them
    admin = f.desk_admin()

    def create_for(account):
        return lambda: create(admin, plan=plan, account=account)

    errors = run_together(*(create_for(account) for account in accounts))

    assert Contract.objects.filter(contract_number="K-1").count() == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
    assert errors[0].message_dict == duplicate_refusal(admin, plan=plan, number="K-1")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_contracts_renumbered_to_one_number_at_once_keep_one_and_refuse_the_other():
    plan = f.SupportPlanFactory()
    contracts = [f.ContractFactory(support_plan=plan) for _ in range(2)]
    admin = f.desk_admin()

    def renumber(contract):
        return lambda: services.contract_update(by=admin, contract=contract, contract_number="K-1")

    errors = run_together(*(renumber(contract) for contract in contracts))

    assert Contract.objects.filter(contract_number="K-1").count() == 1
    assert len(errors) == 1 and isinstance(errors[0], ValidationError), errors
    assert errors[0].message_dict == duplicate_refusal(admin, plan=plan, number="K-1")
