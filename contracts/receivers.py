"""Credit deduction: a ticket's status change spends or refunds a credit, however it is saved."""

from django.db.models.signals import post_save

from . import credits


def sync_credit_on_ticket_status_change(sender, instance, raw=False, **kwargs):
    if raw or not instance.status_changed():
        return
    # The service that changed the status names who did it, for the history and the ledger alike.
    credits.sync_for_ticket(ticket=instance, by=getattr(instance, "_history_user", None))


def connect():
    from tickets.models import Ticket

    post_save.connect(
        sync_credit_on_ticket_status_change,
        sender=Ticket,
        dispatch_uid="contracts.sync_credit_on_ticket_status_change",
    )
