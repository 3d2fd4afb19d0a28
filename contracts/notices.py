"""Contract expiry notices (SPEC section 6): one email, N days before the end date, never twice.

A contract remembers the end date its notice was sent for (``expiry_notice_sent_for``). The
notice is due when today is within ``notify_days_before`` days of the end date and no notice was
sent for that end date; moving the end date makes it due again. Rows are claimed under
``select_for_update(skip_locked=True)`` and marked in the same transaction that queues the emails
in the outbox (``desk.mail.queue``), so two runs at once, a second run or a restart never send it
twice, and a mail outage delays it without losing it.
Each chosen user gets a message of their own, in their language (``desk.mail``).
"""

import datetime
import logging
from functools import partial

from django.db import transaction
from django.db.models import DateField as DateFieldType
from django.db.models import Exists, F, Func, IntegerField, OuterRef, Q, Value
from django.utils import formats
from django.utils.translation import gettext as _

from desk import mail

from .locks import lock_contracts_skipping_held
from .models import Contract

logger = logging.getLogger(__name__)


class DaysUntil(Func):
    """Whole days from a given date to a date column (``column - day``)."""

    output_field = IntegerField()

    def __init__(self, column, day: datetime.date):
        super().__init__(column, Value(day, output_field=DateFieldType()))

    def as_sql(self, compiler, connection, **extra_context):  # type: ignore[override]
        return super().as_sql(compiler, connection, template="(%(expressions)s)", arg_joiner=" - ")

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
        )


def due_notices(today: datetime.date):
    """Contracts whose expiry notice is due today: one query, bounded by the end-date index.

    A contract without an end date never expires and is never due (``end_date >= today`` and
    ``DaysUntil`` are NULL for it; the explicit test says so).
    """
    notify_through = Contract.notify_users.through
    return (
        Contract.objects.filter(
            Exists(notify_through.objects.filter(contract_id=OuterRef("pk"))),
            end_date__isnull=False,
            end_date__gte=today,
            notify_days_before__isnull=False,
            notify_days_before__gte=DaysUntil("end_date", today),
        )
        .filter(Q(expiry_notice_sent_for__isnull=True) | ~Q(expiry_notice_sent_for=F("end_date")))
        .order_by("pk")
    )


def _compose(contract: Contract) -> tuple[str, str]:
    """The notice, in the active language (the reader's: see ``desk.mail``)."""
    assert contract.end_date is not None  # ``due_notices`` picks contracts with an end date only
    values = {
        "name": contract.name,
        "number": contract.contract_number,
        "account": contract.account.name,
        "plan": contract.support_plan.name,
        "date": formats.date_format(contract.end_date),
    }
    subject = _("Contract %(number)s ends on %(date)s") % values
    body = (
        _(
            "The contract %(name)s (%(number)s) of %(account)s on the support plan %(plan)s "
            "ends on %(date)s."
        )
        % values
    )
    body += "\n\n" + _("Open the contract: %(url)s") % {"url": mail.link_to(contract)}
    return subject, body


def send_expiry_notices(*, today: datetime.date) -> int:
    """Email the chosen users of every contract whose notice is due; returns how many contracts."""
    with transaction.atomic():
        contracts = lock_contracts_skipping_held(
            due_notices(today)
            .select_related("account", "support_plan")
            .prefetch_related(mail.readers("notify_users"))
        )
        messages, done = [], []
        for contract in contracts:
            try:
                messages += mail.messages_for(
                    contract.notify_users.all(), partial(_compose, contract)
                )
            except Exception:
                # One contract that cannot be written about is logged and left for the next run.
                logger.exception("Expiry notice of contract %s skipped", contract.pk)
                continue
            done.append(contract.pk)
        if not done:
            return 0
        # A queryset update: no history row, and each row keeps its own end date.
        Contract.objects.filter(pk__in=done).update(expiry_notice_sent_for=F("end_date"))
        if messages:
            mail.queue(messages)
    return len(done)
