"""Writes to contracts that carry a rule (SPEC section 6).

``contract_create`` and ``contract_update`` lock the account row before they look for overlapping
contracts, so two people saving contracts of one account at the same moment cannot both pass the
overlap check.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from customers.models import Account
from plans.models import SupportPlan

from .models import Contract

PLAN_NOT_ACTIVE = _("Choose an active support plan.")
PERIOD_OVERLAPS = _(
    "This account already has a contract whose plan follows the same SLA in this period "
    "(%(contract)s)."
)
NOTICE_NEEDS_USERS = _("Choose whom to notify, or leave the number of days empty.")
NOTICE_NEEDS_DAYS = _("Say how many days before the end date to notify, or choose nobody.")

# The fields a contract manager edits, in the order and sections of the article's form:
# "Contract information", then "Contract expiry notification".
CONTRACT_FIELDS = (
    "owner",
    "name",
    "contract_number",
    "product_name",
    "account",
    "start_date",
    "end_date",
    "support_plan",
)
NOTIFICATION_FIELDS = ("notify_users", "notify_days_before")
FORM_FIELDS = CONTRACT_FIELDS + NOTIFICATION_FIELDS
EDITABLE_FIELDS = tuple(name for name in FORM_FIELDS if name != "notify_users")


def _overlapping(contract: Contract):
    """Other contracts of the same account, on a plan with the same SLA, sharing a day."""
    return (
        Contract.objects.filter(
            account_id=contract.account_id,
            support_plan__sla_id=contract.support_plan.sla_id,
            start_date__lte=contract.end_date,
            end_date__gte=contract.start_date,
        )
        .exclude(pk=contract.pk)
        .order_by("start_date", "pk")
    )


def contract_rule_errors(contract: Contract, *, plan_changed: bool, errors=None) -> dict:
    """The rules across contracts: an active plan, and no same-SLA overlap for the account.

    Used by the services (under the account lock) and by the admin form; returns the errors
    by field, adding to ``errors`` (field errors already found skip the checks they affect).
    """
    errors = {} if errors is None else errors
    if plan_changed and contract.support_plan_id and not contract.support_plan.is_active:
        errors.setdefault("support_plan", []).append(PLAN_NOT_ACTIVE)
    if (
        "start_date" not in errors
        and "end_date" not in errors
        and "account" not in errors
        and "support_plan" not in errors
        and contract.account_id
        and contract.support_plan_id
    ):
        clash = _overlapping(contract).first()
        if clash is not None:
            errors.setdefault("start_date", []).append(
                ValidationError(PERIOD_OVERLAPS, params={"contract": clash})
            )
    return errors


def _validate(contract: Contract, *, plan_changed: bool, notify_users) -> None:
    errors: dict[str, list] = {}
    try:
        contract.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    has_users = bool(notify_users)
    if contract.notify_days_before is not None and not has_users:
        errors.setdefault("notify_users", []).append(NOTICE_NEEDS_USERS)
    if has_users and contract.notify_days_before is None:
        errors.setdefault("notify_days_before", []).append(NOTICE_NEEDS_DAYS)
    if contract.account_id:
        # Serialise writers per account: the overlap check reads, the save then writes.
        Account.objects.select_for_update().filter(pk=contract.account_id).first()
    contract_rule_errors(contract, plan_changed=plan_changed, errors=errors)
    if errors:
        raise ValidationError(errors)


def contract_create(
    *,
    owner,
    name: str,
    contract_number: str,
    account: Account,
    start_date: datetime.date,
    end_date: datetime.date,
    support_plan: SupportPlan,
    product_name: str = "",
    notify_users=(),
    notify_days_before: int | None = None,
) -> Contract:
    """Create a contract on an active plan whose period overlaps no same-SLA contract."""
    contract = Contract(
        owner=owner,
        name=name,
        contract_number=contract_number,
        product_name=product_name,
        account=account,
        start_date=start_date,
        end_date=end_date,
        support_plan=support_plan,
        notify_days_before=notify_days_before,
    )
    notify_users = list(notify_users or ())
    with transaction.atomic():
        _validate(contract, plan_changed=True, notify_users=notify_users)
        contract.save()
        contract.notify_users.set(notify_users)
    return contract


def contract_update(*, contract: Contract, notify_users=None, **fields) -> Contract:
    """Change a contract. The plan may change only to an active one; the ledger stays as it is.

    Moving the end date re-arms the expiry notice: the notice remembers the end date it was sent
    for (``expiry_notice_sent_for``) and is due again for any other end date.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"contract_update() got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        previous_plan_id = contract.support_plan_id
        for name, value in fields.items():
            setattr(contract, name, value)
        if notify_users is None:
            notify_users = list(contract.notify_users.all())
        notify_users = list(notify_users)
        _validate(
            contract,
            plan_changed=contract.support_plan_id != previous_plan_id,
            notify_users=notify_users,
        )
        contract.save()
        contract.notify_users.set(notify_users)
    return contract
