"""Running the workflow rules for one change (SPEC section 10).

A change to a ticket or a contract (``desk.signals.record_changed``) is an ``Event``; the
receiver queues ``tasks.run_workflow_rules`` with it in the change's transaction, so the rules
run after the change commits, in a task worker, and a change rolled back fires nothing.

``run`` fires every active rule of the record's department and module whose trigger matches the
change and whose criteria hold, in list order. Each firing is one transaction: its ``Firing``
row (unique per rule and event, so a rerun of the task fires nothing twice; unique per rule,
contract and credit cycle for a rule that fires once per cycle) and its actions. The queries do
not grow with the number of rules: the rules in one query, the record in one, the credits once.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.models import Contract
from tickets.models import Ticket

from . import actions, criteria
from .chain import MAX_DEPTH
from .models import Firing, Module, Rule

Trigger = Rule.Trigger


@dataclass(frozen=True)
class Event:
    """One change to one record, as the task queue carries it (JSON)."""

    module: str
    record_id: int
    department_id: int
    created: bool = False
    changed: list[str] = field(default_factory=list)
    reply: str | None = None  # "customer" | "agent"
    credit: bool = False
    chain: list[int] = field(default_factory=list)  # the rules whose updates made the change
    # The rules that read the change already, after the rule that made it, in the same run:
    # firing them again on it would repeat what they did (two alerts for one change).
    seen: list[int] = field(default_factory=list)
    key: str = field(default_factory=lambda: str(uuid.uuid4()))

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Event:
        return cls(**data)

    @property
    def triggers(self) -> set[str]:
        """The triggers this change fires."""
        found: set[str] = set()
        if self.created:
            found |= {Trigger.CREATED, Trigger.CREATED_OR_EDITED}
        elif self.changed:
            found |= {Trigger.EDITED, Trigger.CREATED_OR_EDITED, Trigger.FIELDS_UPDATED}
        if self.reply == "customer":
            found.add(Trigger.CUSTOMER_REPLY)
        elif self.reply == "agent":
            found.add(Trigger.AGENT_REPLY)
        if self.credit:
            found.add(Trigger.CREDIT_CHANGED)
        return found

    def fires(self, rule: Rule) -> bool:
        """Whether ``rule``'s trigger matches this change (not whether its criteria hold)."""
        if rule.trigger not in self.triggers or rule.pk in self.chain or rule.pk in self.seen:
            return False
        if rule.trigger == Trigger.FIELDS_UPDATED:
            return bool(set(rule.trigger_fields) & set(self.changed))
        return True


# What the criteria read of a record, joined to it; what only an action reads (the people an
# alert writes to, a rule's template) is read when the rule fires, which few changes make it do.
RECORD_RELATED: dict[str, tuple[str, ...]] = {
    Module.TICKETS: ("account", "contract__support_plan"),
    Module.CONTRACTS: ("account", "support_plan"),
}


def load(module: str, record_id: int):
    """The record with what the criteria read, in one query (None if deleted)."""
    model = Ticket if module == Module.TICKETS else Contract
    records = model.objects.select_related(*RECORD_RELATED[module]).filter(pk=record_id)
    return next(iter(records.order_by()), None)


def rules_for(event: Event) -> list[Rule]:
    """The department's active workflow rules ``event`` fires, in list order, in one query."""
    rules = (
        Rule.objects.active()
        .filter(
            kind=Rule.Kind.WORKFLOW,
            department_id=event.department_id,
            module=event.module,
            trigger__in=event.triggers,
        )
        .order_by("position", "pk")
    )
    return [rule for rule in rules if event.fires(rule)]


def run(event: Event) -> list[Firing]:
    """Fire the rules ``event`` matches; the firings made (none twice for one event)."""
    if not event.triggers:
        return []
    rules = rules_for(event)
    if not rules:
        return []
    record = load(event.module, event.record_id)
    if record is None:
        return []  # deleted since
    facts = criteria.Facts(event.module, record)
    firings = []
    for index, rule in enumerate(rules):
        if not criteria.evaluate(rule, facts).holds:
            continue
        firing = fire(
            rule,
            record,
            facts=facts,
            trigger=rule.trigger,
            key=event.key,
            episode=_episode(rule, facts),
            chain=tuple(event.chain),
            seen=tuple(later.pk for later in rules[index + 1 :]),
        )
        if firing is None:
            continue
        firings.append(firing)
        if any(a["action"] == "field_update" and a["ok"] for a in firing.actions):
            # The next rules read the record as this rule left it.
            record = load(event.module, event.record_id)
            facts = criteria.Facts(event.module, record)
    return firings


def _episode(rule: Rule, facts) -> str:
    """The credit cycle of a rule that fires once per contract and cycle; else none."""
    if rule.trigger != Trigger.CREDIT_CHANGED or not rule.once_per_cycle:
        return ""
    summary = facts.credit_summary
    return f"cycle:{summary.cycle.start.isoformat()}" if summary is not None else ""


def fire(
    rule: Rule,
    record,
    *,
    facts,
    trigger: str,
    key: str | None = None,
    episode: str = "",
    chain: tuple[int, ...] = (),
    seen: tuple[int, ...] = (),
) -> Firing | None:
    """One firing of ``rule`` on ``record`` (a ticket or a contract), with its actions, in one
    transaction; None if it fired already for this change (``key``) or this ``episode`` (a
    credit cycle; a time-based rule's moment). ``chain``: the rules whose field updates made
    the change; ``MAX_DEPTH`` of them stop it (logged)."""
    firing = Firing(
        rule=rule,
        trigger=trigger,
        event=key or uuid.uuid4(),
        # A stopped firing does nothing: it must not use up the rule's one firing of the episode.
        episode=episode if len(chain) < MAX_DEPTH else "",
        depth=len(chain),
    )
    if rule.module == Module.TICKETS:
        firing.ticket = record
    else:
        firing.contract = record
    with transaction.atomic():
        if len(chain) >= MAX_DEPTH:
            firing.outcome = Firing.Outcome.STOPPED
        try:
            with transaction.atomic():
                firing.save()
        except IntegrityError:
            return None  # fired already for this change or this episode
        if firing.outcome == Firing.Outcome.STOPPED:
            return firing
        act(firing, record, facts=facts, chain=chain, seen=seen)
    return firing


def act(firing: Firing, record, *, facts, chain: tuple[int, ...] = (), seen: tuple[int, ...] = ()):
    """Do what ``firing``'s rule does on ``record`` and record what each action did (in the
    caller's transaction, which holds the firing)."""
    rule = firing.rule
    firing.actions = actions.perform(
        rule,
        record,
        facts=facts,
        firing=firing,
        chain=chain,
        reload=lambda: load(rule.module, record.pk),
        seen=seen,
    )
    ok = all(result["ok"] for result in firing.actions)
    firing.outcome = Firing.Outcome.DONE if ok else Firing.Outcome.FAILED
    firing.save(update_fields=["actions", "outcome"])


# --- Test against… ---------------------------------------------------------------------------


@dataclass
class Explanation:
    evaluation: criteria.Evaluation
    actions: list[dict[str, Any]]
    record: Any


def explain(rule: Rule, record) -> Explanation:
    """Which of ``rule``'s criteria hold for ``record`` and what the rule would do, without
    doing it (*Test against…*)."""
    facts = criteria.Facts(rule.module, record)
    evaluation = criteria.evaluate(rule, facts, explain=True)
    would: list[dict[str, Any]] = []
    if rule.module == Module.TICKETS and rule.field_updates:
        would.append({"action": "field_update", "detail": rule.field_updates})
    if rule.alerts:
        users, addresses = actions.recipients(rule, record)
        subject, body = actions.compose(rule, record, facts=facts)
        would.append(
            {
                "action": "alert",
                "to": [user.email for user in users] + addresses,
                "subject": subject,
                "body": body,
            }
        )
    if rule.makes_task:
        would.append(
            {
                "action": "task",
                "subject": rule.task_subject,
                "due_at": actions.due_after(rule, timezone.now()),
            }
        )
    if rule.webhook_url:
        would.append({"action": "webhook", "url": rule.webhook_url})
    return Explanation(evaluation=evaluation, actions=would, record=record)
