"""Writes to contracts that carry a rule (SPEC section 6): one function per intent, for every door.

Each takes the acting user (``by``), checks the permission and the department wall, and locks
before it reads what it checks (README, "Locks"): the contract row first, so that its history
(tickets, ledger) cannot grow between the check and the write, then the account row, so that two
people saving contracts of one account at the same moment cannot both pass the overlap check.
"""

import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.locks import lock_account
from customers.models import Account
from desk.access import require_department, require_permission
from desk.integrity import duplicates_refused
from desk.signals import send_record_changed
from plans.models import SupportPlan

from .locks import lock_contract
from .models import Contract

PLAN_NOT_ACTIVE = _("Choose an active support plan.")
PERIOD_OVERLAPS = _(
    "This account already has a contract whose plan follows the same SLA in this period "
    "(%(contract)s)."
)
NOTICE_NEEDS_USERS = _("Choose whom to notify, or leave the number of days empty.")
NOTICE_NEEDS_DAYS = _("Say how many days before the end date to notify, or choose nobody.")
NOTICE_NEEDS_END_DATE = _(
    "A contract with no end date never expires, so it has no expiry notice: set an end date or "
    "leave the notification empty."
)
NOTICE_BEYOND_LENGTH = _(
    "Enter at most %(days)s days: the contract runs %(days)s days from its start date to its end "
    "date."
)
PINNED_BY_HISTORY = _(
    "This contract already has tickets or credit entries, so this can no longer change. To move "
    "the customer to another plan, end this contract and start a new one."
)
HISTORY_NO_DELETE = _(
    "This contract has tickets or credit entries, so it cannot be deleted. End it instead: set "
    "its end date."
)
ENDS_BEFORE_LEDGER = _(
    "The contract has credit entries up to %(date)s, so it cannot end before that day."
)
RENEW_NEEDS_END_DATE = _(
    "This contract has no end date, so it runs on for ever: there is nothing to renew."
)
RENEW_ALREADY_RENEWED = _("This contract has already been renewed (%(contract)s).")

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
# What a contract's history (a ticket or a credit entry) pins down (SPEC section 6).
PINNED_FIELDS = ("start_date", "support_plan", "account")


def _overlapping(contract: Contract):
    """Other contracts of the same account, on a plan with the same SLA, sharing a day.

    A missing end date, on either side, counts as "for ever" (SPEC section 6).
    """
    others = Contract.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=contract.start_date),
        account_id=contract.account_id,
        support_plan__sla_id=contract.support_plan.sla_id,
    )
    if contract.end_date is not None:
        others = others.filter(start_date__lte=contract.end_date)
    return others.exclude(pk=contract.pk).order_by("start_date", "pk")


def _rule_errors(contract: Contract, *, plan_changed: bool, errors: dict) -> None:
    """The rules across contracts: an active plan, and no same-SLA overlap for the account.
    Field errors already found skip the checks they affect. The caller holds the account's lock.
    """
    if plan_changed and contract.support_plan_id and not contract.support_plan.is_active:
        errors.setdefault("support_plan", []).append(PLAN_NOT_ACTIVE)
    if (
        not {"start_date", "end_date", "account", "support_plan"} & set(errors)
        and contract.account_id
        and contract.support_plan_id
    ):
        clash = _overlapping(contract).first()
        if clash is not None:
            errors.setdefault("start_date", []).append(
                ValidationError(PERIOD_OVERLAPS, params={"contract": clash})
            )


def has_history(contract: Contract) -> bool:
    """Whether tickets or credit entries refer to the contract: what pins it down (SPEC 6)."""
    return contract.credit_entries.exists() or contract.tickets.exists()


def _attname(name: str) -> str:
    field = Contract._meta.get_field(name)
    assert isinstance(field, Field)
    return field.attname


def _values(contract: Contract) -> dict[str, Any]:
    return {field.attname: getattr(contract, field.attname) for field in Contract._meta.fields}


def _pinned_errors(contract: Contract, stored: Contract, errors: dict) -> None:
    """Once a contract has a ticket or a credit entry, its start date, plan and account stay,
    and it never ends before its last ledger entry. The caller holds the contract's lock."""
    before, after = _values(stored), _values(contract)
    changed = [name for name in PINNED_FIELDS if before[_attname(name)] != after[_attname(name)]]
    last_entry = contract.credit_entries.order_by("-created_at").values("created_at").first()
    if changed and has_history(contract):
        for name in changed:
            errors.setdefault(name, []).append(PINNED_BY_HISTORY)
    if last_entry is not None and contract.end_date is not None:
        last_day = timezone.localdate(last_entry["created_at"])
        if contract.end_date < last_day:
            errors.setdefault("end_date", []).append(
                ValidationError(ENDS_BEFORE_LEDGER, params={"date": last_day.isoformat()})
            )


def _notice_errors(contract: Contract, errors: dict) -> None:
    """A notice goes out at most the contract's length before its end date (on its start date)."""
    if {"start_date", "end_date", "notify_days_before"} & set(errors):
        return
    days, start, end = contract.notify_days_before, contract.start_date, contract.end_date
    if days is None or start is None or end is None or end < start:
        return
    length = (end - start).days
    if days > length:
        errors.setdefault("notify_days_before", []).append(
            ValidationError(NOTICE_BEYOND_LENGTH, params={"days": length})
        )


def _validate(contract: Contract, *, by: Any, stored: Contract | None, notify_users: list) -> None:
    """Every rule of a contract about to be saved; raises ``ValidationError`` by field."""
    errors: dict[str, list] = {}
    try:
        contract.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if contract.support_plan_id:
        require_department(by, contract.support_plan.department, field="support_plan")
    has_users = bool(notify_users)
    if contract.end_date is None and "end_date" not in errors:
        # An open-ended contract never expires: there is no end date to give notice of.
        if has_users:
            errors.setdefault("notify_users", []).append(NOTICE_NEEDS_END_DATE)
        if contract.notify_days_before is not None:
            errors.setdefault("notify_days_before", []).append(NOTICE_NEEDS_END_DATE)
    else:
        if contract.notify_days_before is not None and not has_users:
            errors.setdefault("notify_users", []).append(NOTICE_NEEDS_USERS)
        if has_users and contract.notify_days_before is None:
            errors.setdefault("notify_days_before", []).append(NOTICE_NEEDS_DAYS)
        _notice_errors(contract, errors)
    if stored is not None:
        _pinned_errors(contract, stored, errors)
    if contract.account_id:
        lock_account(contract.account_id)
    plan_changed = stored is None or stored.support_plan_id != contract.support_plan_id
    _rule_errors(contract, plan_changed=plan_changed, errors=errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_create(
    *,
    by: Any,
    name: str,
    contract_number: str,
    account: Account,
    start_date: datetime.date,
    end_date: datetime.date | None,
    support_plan: SupportPlan,
    owner: Any = None,
    product_name: str = "",
    notify_users=(),
    notify_days_before: int | None = None,
) -> Contract:
    """Create a contract on an active plan whose period overlaps no same-SLA contract. Its owner
    is ``by`` unless another is named."""
    require_permission(by, "contracts.add_contract")
    contract = Contract(
        owner=owner or by,
        name=name,
        contract_number=contract_number,
        product_name=product_name,
        account=account,
        start_date=start_date,
        end_date=end_date,
        support_plan=support_plan,
        notify_days_before=notify_days_before,
    )
    return _insert(contract, by=by, notify_users=notify_users)


def _insert(contract: Contract, *, by: Any, notify_users) -> Contract:
    """Validate and save a new contract (created or renewing another): the caller is atomic."""
    notify_users = list(notify_users or ())
    _validate(contract, by=by, stored=None, notify_users=notify_users)
    contract._history_user = by  # type: ignore[attr-defined]  # simple_history's "who"
    with duplicates_refused(contract):  # a contract number saved meanwhile by someone else
        contract.save()
    contract.notify_users.set(notify_users)
    send_record_changed(contract, by=by, created=True)
    return contract


@transaction.atomic
def contract_update(*, by: Any, contract: Contract, notify_users=None, **fields: Any) -> Contract:
    """Change the ``fields`` given (any of ``EDITABLE_FIELDS``) and, if given, whom to notify.

    Fields not given keep what is stored. What the contract's history pins down is refused. Moving
    the end date re-arms the expiry notice: the notice remembers the end date it was sent for
    (``expiry_notice_sent_for``) and is due again for any other end date.
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"contract_update() got unexpected fields: {sorted(unknown)}")
    require_permission(by, "contracts.change_contract")
    contract = lock_contract(contract.pk)
    require_department(by, contract.support_plan.department)
    stored = Contract(**_values(contract))
    for name, value in fields.items():
        setattr(contract, name, value)
    current_users = list(contract.notify_users.all())
    notify_users = current_users if notify_users is None else list(notify_users)
    _validate(contract, by=by, stored=stored, notify_users=notify_users)
    if _values(stored) == _values(contract) and set(notify_users) == set(current_users):
        return contract  # nothing changed: no save, no history row
    contract._history_user = by  # type: ignore[attr-defined]  # simple_history's "who"
    with duplicates_refused(contract):  # a contract number saved meanwhile by someone else
        contract.save()
    contract.notify_users.set(notify_users)
    changed = {
        field.name
        for field in Contract._meta.fields
        if getattr(stored, field.attname) != getattr(contract, field.attname)
        and field.name != "updated_at"
    }
    send_record_changed(contract, by=by, changed=changed)
    return contract


@transaction.atomic
def contract_delete(*, by: Any, contract: Contract) -> None:
    """Delete a contract nothing refers to yet (a contract entered by mistake)."""
    require_permission(by, "contracts.delete_contract")
    contract = lock_contract(contract.pk)
    require_department(by, contract.support_plan.department)
    if has_history(contract):
        raise ValidationError(HISTORY_NO_DELETE, code="protected")
    contract._history_user = by  # type: ignore[attr-defined]
    try:
        contract.delete()
    except ProtectedError as error:  # a row that arrived without taking the contract's lock
        raise ValidationError(HISTORY_NO_DELETE, code="protected") from error


# --- renewal (SPEC section 6, "Renew") --------------------------------------------------------

RENEW_SAME_ACCOUNT = _("A renewal is for the same account as the contract it renews.")


def renewal_period(contract: Contract) -> tuple[datetime.date, datetime.date]:
    """The period of a renewal: from the day after ``contract`` ends, for the same length.

    A period of whole months (1 Jan–31 Dec, 15 Jan–14 Apr) renews for as many whole months, so a
    year stays a year across a leap day; any other period for the same number of days."""
    assert contract.end_date is not None
    start = contract.end_date + datetime.timedelta(days=1)
    span = relativedelta(start, contract.start_date)
    months = span.years * 12 + span.months
    if months and contract.start_date + relativedelta(months=months) == start:
        return start, start + relativedelta(months=months) - datetime.timedelta(days=1)
    return start, start + (contract.end_date - contract.start_date)


def renewal_initial(contract: Contract) -> dict[str, Any]:
    """What the new-contract form is filled in with when renewing ``contract``: the same account,
    owner, product and notices, the same plan if it is still active, the next period."""
    start, end = renewal_period(contract)
    plan = contract.support_plan if contract.support_plan.is_active else None
    return {
        "owner": contract.owner,
        "name": contract.name,
        "product_name": contract.product_name,
        "account": contract.account,
        "start_date": start,
        "end_date": end,
        "support_plan": plan,
        "notify_users": list(contract.notify_users.all()),
        "notify_days_before": contract.notify_days_before,
    }


@transaction.atomic
def contract_renew(*, by: Any, contract: Contract, **fields: Any) -> Contract:
    """Create the contract that renews ``contract`` (which must have an end date and not be
    renewed yet). Fields not given are those of :func:`renewal_initial`; a contract number must
    be given. The new contract passes every rule of :func:`contract_create` (an active plan, no
    same-SLA overlap) and records the contract it renews."""
    unknown = set(fields) - set(FORM_FIELDS)
    if unknown:
        raise TypeError(f"contract_renew() got unexpected fields: {sorted(unknown)}")
    require_permission(by, "contracts.add_contract")
    old = lock_contract(contract.pk)  # two people renewing it at once: the second waits, then
    require_department(by, old.support_plan.department)  # sees the first one's renewal
    if old.end_date is None:
        raise ValidationError(RENEW_NEEDS_END_DATE, code="open_ended")
    successor = Contract.objects.filter(renews=old).first()
    if successor is not None:
        raise ValidationError(RENEW_ALREADY_RENEWED, code="renewed", params={"contract": successor})
    values = {"contract_number": "", **renewal_initial(old), **fields}
    if values["account"] is None or values["account"].pk != old.account_id:
        raise ValidationError({"account": RENEW_SAME_ACCOUNT})
    notify_users = values.pop("notify_users")
    renewal = Contract(**values, renews=old)
    if renewal.owner_id is None:
        renewal.owner = by
    return _insert(renewal, by=by, notify_users=notify_users)
