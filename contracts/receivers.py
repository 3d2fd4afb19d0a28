"""Credit deduction: a ticket's status change spends or refunds a credit, however it is saved;
and a plan's new credit limit reaches its contracts' cycle balances."""

from django.db.models.signals import post_save

from . import credits
from .models import CycleBalance


def sync_credit_on_ticket_status_change(sender, instance, raw=False, **kwargs):
    if raw or not instance.status_changed():
        return
    # The service that changed the status names who did it, for the history and the ledger alike.
    credits.sync_for_ticket(ticket=instance, by=getattr(instance, "_history_user", None))


def compare_balances_with_plan_limit(sender, instance, raw=False, **kwargs):
    if not raw:
        CycleBalance.follow_limit(instance)


def connect():
    from plans.models import SupportPlan
    from tickets.models import Ticket

    post_save.connect(
        compare_balances_with_plan_limit,
        sender=SupportPlan,
        dispatch_uid="contracts.compare_balances_with_plan_limit",
    )
    post_save.connect(
        sync_credit_on_ticket_status_change,
        sender=Ticket,
        dispatch_uid="contracts.sync_credit_on_ticket_status_change",
    )
