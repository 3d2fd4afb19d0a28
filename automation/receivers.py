"""Queue the workflow rules of a change, in the change's transaction (``desk.signals``)."""

from desk.signals import record_changed

from . import chain
from .engine import Event
from .models import Module, Rule


def queue_rules(
    sender, record, by, created=False, changed=frozenset(), reply=None, credit=False, **kwargs
):
    from contracts.models import Contract
    from tickets.models import Ticket

    if sender is Ticket:
        module, department_id = Module.TICKETS, record.department_id
    elif sender is Contract:
        module, department_id = Module.CONTRACTS, record.support_plan.department_id
    else:
        return
    event = Event(
        module=module,
        record_id=record.pk,
        department_id=department_id,
        created=created,
        changed=sorted(changed),
        reply=reply,
        credit=credit,
        chain=list(chain.current()),
        seen=list(chain.seen()),
    )
    # One query when no rule listens (most changes of most desks), one more to queue the run.
    listening = Rule.objects.active().filter(
        department_id=department_id, module=module, trigger__in=event.triggers, kind="workflow"
    )
    if not event.triggers or not listening.exists():
        return
    from .tasks import run_workflow_rules

    run_workflow_rules.enqueue(event.as_json())


def connect():
    record_changed.connect(queue_rules, dispatch_uid="automation.queue_rules")
