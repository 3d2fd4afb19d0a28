"""Queue the workflow rules of a change, in the change's transaction (``desk.signals``).

Whether any rule listens is known without a query: each process keeps, per department, the
(module, trigger) pairs of its active workflow rules under the department's ``rules_version``, a
token every change to its rules makes anew (``rules_changed``, on each rule's save and delete). A
change reads its department anyway (the ticket's lock joins it, the contract's lock its plan's);
a token this process has not seen is asked of the rules table once. The pairs are read after the
token: never older than it. A department read before a rule changed carries the token before,
and gets the newer pairs or asks again.
"""

import uuid

from django.db.models.signals import post_delete, post_save

from desk.models import Department
from desk.signals import record_changed

from . import chain
from .engine import Event
from .models import Module, Rule

# department id -> (its rules_version, the (module, trigger) pairs its active workflow rules
# listen for); one process's memory, a few pairs a department.
_listening: dict[int, tuple[uuid.UUID, frozenset[tuple[str, str]]]] = {}


def listening(department: Department) -> frozenset[tuple[str, str]]:
    """The (module, trigger) pairs ``department``'s active workflow rules listen for, as of its
    ``rules_version`` (a query only for a token this process has not seen)."""
    known = _listening.get(department.pk)
    if known is not None and known[0] == department.rules_version:
        return known[1]
    rules = Rule.objects.active().filter(department=department, kind=Rule.Kind.WORKFLOW)
    pairs = frozenset(rules.values_list("module", "trigger").distinct())
    _listening[department.pk] = (department.rules_version, pairs)
    return pairs


def rules_changed(department_ids) -> None:
    """Mark a change to the rules of ``department_ids`` (what a bulk write of rules calls; a
    rule's save and delete call it through their signals)."""
    ids = set(department_ids)
    Department.objects.filter(pk__in=ids).update(rules_version=uuid.uuid4())
    for pk in ids:
        _listening.pop(pk, None)


def queue_rules(
    sender, record, by, created=False, changed=frozenset(), reply=None, credit=False, **kwargs
):
    from contracts.models import Contract
    from tickets.models import Ticket

    if sender is Ticket:
        module, department = Module.TICKETS, record.department
    elif sender is Contract:
        module, department = Module.CONTRACTS, record.support_plan.department
    else:
        return
    event = Event(
        module=module,
        record_id=record.pk,
        department_id=department.pk,
        created=created,
        changed=sorted(changed),
        reply=reply,
        credit=credit,
        chain=list(chain.current()),
        seen=list(chain.seen()),
    )
    pairs = listening(department)
    if not any((module, trigger) in pairs for trigger in event.triggers):
        return
    from .tasks import run_workflow_rules

    run_workflow_rules.enqueue(event.as_json())


def _rule_written(sender, instance: Rule, **kwargs):
    rules_changed([instance.department_id])


def connect():
    record_changed.connect(queue_rules, dispatch_uid="automation.queue_rules")
    post_save.connect(_rule_written, sender=Rule, dispatch_uid="automation.rule_saved")
    post_delete.connect(_rule_written, sender=Rule, dispatch_uid="automation.rule_deleted")
