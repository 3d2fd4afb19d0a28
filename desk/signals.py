"""What the services tell the rest of the desk after a change, inside its transaction.

``record_changed`` is sent by the services that write tickets and contracts (every door goes
through them), once per change, after the record is saved:

- ``sender``: the model class (``Ticket``, ``Contract``); ``record``: the saved record;
- ``by``: who made the change (a user; ``None`` for the desk itself);
- ``created``: a new record; ``changed``: the names of the fields an edit really changed;
- ``reply``: ``"customer"`` or ``"agent"`` for a public reply on a ticket;
- ``credit``: a credit of the contract was spent or refunded.

The workflow rules (``automation``) listen, and queue their run in the same transaction, so a
change rolled back takes its rules with it. ``desk`` imports no other app: the signal lives here
so that the apps that send it and the app that listens need not know each other.
"""

from django.dispatch import Signal

record_changed = Signal()


def send_record_changed(
    record,
    *,
    by,
    created: bool = False,
    changed=frozenset(),
    reply: str | None = None,
    credit: bool = False,
) -> None:
    record_changed.send(
        sender=type(record),
        record=record,
        by=by,
        created=created,
        changed=frozenset(changed),
        reply=reply,
        credit=credit,
    )
