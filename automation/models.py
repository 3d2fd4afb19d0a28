"""Workflow rules, what they did, and tasks (SPEC section 10).

A rule belongs to a department and a module (tickets or contracts). When a record of that
module changes (``desk.signals.record_changed``), every active rule of the department whose
trigger matches the change and whose criteria hold fires, in list order; each firing is a
``Firing`` row that says what each action did. Its actions: field updates (through the ticket
services), an alert (an email from an ``EmailTemplate``), a task, a webhook (a signed JSON POST,
each attempt a ``WebhookAttempt``).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from desk import links
from desk.access import DepartmentScopedQuerySet
from desk.choices import Priority, Status


class Module(models.TextChoices):
    TICKETS = "tickets", _("Tickets")
    CONTRACTS = "contracts", _("Contracts")


class EmailTemplate(models.Model):
    """An alert's email: a subject and a text with placeholders such as ``{ticket.subject}``."""

    department = models.ForeignKey(
        "desk.Department",
        on_delete=models.CASCADE,
        related_name="email_templates",
        verbose_name=_("department"),
        db_index=False,
    )
    module = models.CharField(_("module"), max_length=20, choices=Module.choices)
    name = models.CharField(_("name"), max_length=100)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))

    objects = DepartmentScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        constraints = [
            models.UniqueConstraint(
                fields=["department", "module", "name"], name="automation_template_name_unique"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("automation:template_edit", args=[self.pk])


# ``set_priority``'s value for "one step up from the ticket's priority" (urgent stays urgent).
RAISE_PRIORITY = "raise"


def new_secret() -> str:
    return secrets.token_hex(32)


class RuleQuerySet(DepartmentScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class Rule(models.Model):
    """A rule: when (a change's trigger, or the time passed), if (criteria), then (actions).

    A workflow rule (SPEC section 10) fires on a change; a time-based rule (section 11, tickets
    only) fires, once per ticket and episode, when its time condition holds at an hourly run.
    """

    class Kind(models.TextChoices):
        WORKFLOW = "workflow", _("Workflow rule")
        TIME_BASED = "time_based", _("Time-based rule")

    class Trigger(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("Edited")
        CREATED_OR_EDITED = "created_or_edited", _("Created or edited")
        FIELDS_UPDATED = "fields_updated", _("Chosen fields updated")
        CUSTOMER_REPLY = "customer_reply", _("Customer replied")
        AGENT_REPLY = "agent_reply", _("Agent replied")
        CREDIT_CHANGED = "credit_changed", _("Credit spent or refunded")
        # A time-based rule's firings.
        TIME_PASSED = "time_passed", _("Time passed")

    class TimeField(models.TextChoices):
        CREATED = "created", _("Hours since created")
        STATUS_CHANGED = "status_changed", _("Hours since the status changed")
        ASSIGNED = "assigned", _("Hours since assigned")
        CUSTOMER_REPLY = "customer_reply", _("Hours since the last customer reply")
        AGENT_REPLY = "agent_reply", _("Hours since the last agent reply")
        RESOLVED = "resolved", _("Hours since resolved")
        REOPENED = "reopened", _("Hours since reopened")
        RESPONSE_DUE = "response_due", _("Hours to the response due time")
        RESOLUTION_DUE = "resolution_due", _("Hours to the resolution due time")

    class TimeOperator(models.TextChoices):
        IS = "is", pgettext_lazy("criterion", "is")
        LESS = "lt", _("less than")
        GREATER = "gt", _("greater than")

    class Join(models.TextChoices):
        AND = "and", _("All conditions hold (AND)")
        OR = "or", _("Any condition holds (OR)")

    class DueUnit(models.TextChoices):
        MINUTES = "minutes", _("minutes")
        HOURS = "hours", _("hours")
        DAYS = "days", _("days")
        MONTHS = "months", _("months")

    department = models.ForeignKey(
        "desk.Department",
        on_delete=models.CASCADE,
        related_name="workflow_rules",
        verbose_name=_("department"),
    )
    module = models.CharField(_("module"), max_length=20, choices=Module.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WORKFLOW)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # The order shown on the list, in which matching rules fire (per department and module).
    position = models.PositiveIntegerField(_("position"), default=0)

    # A workflow rule's trigger (a time-based rule has none).
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices, blank=True)
    # For "Chosen fields updated": the fields whose real change fires the rule.
    trigger_fields = models.JSONField(_("fields"), default=list, blank=True)
    # For "Credit spent or refunded": fire at most once per contract and credit cycle.
    once_per_cycle = models.BooleanField(
        _("at most once per credit cycle"),
        default=True,
        help_text=_("Fire at most once per contract and credit cycle."),
    )

    # A time-based rule's time condition: ``time_field`` ``time_operator`` ``time_hours`` whole
    # hours, counted in calendar hours or in the business hours of the ticket's SLA.
    time_field = models.CharField(
        _("time condition"), max_length=20, choices=TimeField.choices, blank=True
    )
    time_operator = models.CharField(
        _("operator"), max_length=2, choices=TimeOperator.choices, default=TimeOperator.GREATER
    )
    time_hours = models.PositiveIntegerField(_("hours"), default=1)
    business_hours = models.BooleanField(
        _("in business hours"),
        default=False,
        help_text=_("Count only the business hours of the ticket's SLA."),
    )
    # The hour a time-based rule was last evaluated: a run every minute evaluates it once.
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    # The run evaluated the rule for every ticket at this moment (``automation.timed``); None for
    # a new, changed or reactivated rule, whose next run reads its whole scope.
    swept_until = models.DateTimeField(null=True, blank=True, editable=False)

    # Criteria: [{"field": ..., "operator": ..., "value": ...}, ...] (``automation.criteria``).
    criteria = models.JSONField(_("criteria"), default=list, blank=True)
    join = models.CharField(_("join"), max_length=3, choices=Join.choices, default=Join.AND)
    pattern = models.CharField(
        _("pattern"),
        max_length=200,
        blank=True,
        help_text=_("Optional, such as 1 and (2 or 3). Empty: the join above."),
    )

    # Field updates (tickets only), through the ticket services.
    set_status = models.CharField(
        _("set status"), max_length=20, choices=Status.choices, blank=True
    )
    set_priority = models.CharField(
        _("set priority"),
        max_length=10,
        choices=[*Priority.choices, (RAISE_PRIORITY, _("One step up"))],
        blank=True,
    )
    set_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set assignee"),
    )

    # Alert: an email from a template to the recipients chosen.
    alert_template = models.ForeignKey(
        EmailTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rules",
        verbose_name=_("email template"),
    )
    alert_assignee = models.BooleanField(_("the assignee"), default=False)
    alert_contract_owner = models.BooleanField(_("the contract owner"), default=False)
    alert_contact = models.BooleanField(_("the contact"), default=False)
    alert_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("these people")
    )
    alert_addresses = models.TextField(
        _("other addresses"), blank=True, help_text=_("One email address per line.")
    )

    # Task: empty subject, no task.
    task_subject = models.CharField(_("task subject"), max_length=200, blank=True)
    task_description = models.TextField(_("task description"), blank=True)
    task_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task assignee"),
        help_text=_("Empty: the ticket's assignee (a contract's task: its owner)."),
    )
    task_priority = models.CharField(
        _("task priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    task_due_in = models.PositiveIntegerField(_("task due in"), default=1)
    task_due_unit = models.CharField(
        _("unit"), max_length=10, choices=DueUnit.choices, default=DueUnit.DAYS
    )

    # Webhook (the article's "custom function"): empty URL, none.
    webhook_url = models.URLField(_("webhook URL"), max_length=500, blank=True)
    webhook_secret = models.CharField(_("signing secret"), max_length=64, default=new_secret)

    # Whose permissions the actions run with: who last saved the rule.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("runs as"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = RuleQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "module", "position", "pk"]
        verbose_name = _("workflow rule")
        verbose_name_plural = _("workflow rules")
        indexes = [
            # A change asks "any active rule for this department, module and trigger?".
            models.Index(
                fields=["department", "module", "trigger"],
                condition=Q(is_active=True),
                name="rule_active_idx",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        if self.kind == self.Kind.TIME_BASED:
            return links.by_pk("automation:time_rule_detail", self.pk)
        return links.by_pk("automation:rule_detail", self.pk)

    @property
    def time_condition(self) -> str:
        """A time-based rule's condition in words: "Hours since created greater than 48"."""
        if not self.time_field:
            return ""
        words = _("%(field)s %(operator)s %(hours)s") % {
            "field": self.get_time_field_display(),
            "operator": self.get_time_operator_display(),
            "hours": self.time_hours,
        }
        if self.business_hours:
            return _("%(condition)s, in the business hours of the ticket's SLA") % {
                "condition": words
            }
        return _("%(condition)s, in calendar hours") % {"condition": words}

    @property
    def field_updates(self) -> dict:
        """The ticket fields this rule sets: {"status": ..., "priority": ..., "assignee": user}."""
        updates: dict = {}
        if self.set_status:
            updates["status"] = self.set_status
        if self.set_priority:
            updates["priority"] = self.set_priority
        if self.set_assignee_id:
            updates["assignee"] = self.set_assignee
        return updates

    @property
    def alerts(self) -> bool:
        return self.alert_template_id is not None

    @property
    def makes_task(self) -> bool:
        return bool(self.task_subject)


class Firing(models.Model):
    """One firing of a rule on one record: the trigger, and what each action did."""

    class Outcome(models.TextChoices):
        DONE = "done", _("Done")
        FAILED = "failed", _("An action failed")
        STOPPED = "stopped", _("Stopped: a chain of rules three deep")
        # A time-based rule's firing, its episode claimed by the hourly run, its actions not yet
        # done by a task worker (``automation.timed``).
        QUEUED = "queued", _("Queued")

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings", db_index=False)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    trigger = models.CharField(_("trigger"), max_length=20, choices=Rule.Trigger.choices)
    # The change that fired it: a rerun of the same change never fires the rule again.
    event = models.UUIDField(_("event"), default=uuid.uuid4)
    # Set where a rule fires at most once per episode (a contract's credit cycle).
    episode = models.CharField(_("episode"), max_length=64, blank=True)
    # How many rules' field updates led to this change (0: a person's change).
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    fired_at = models.DateTimeField(_("fired"), auto_now_add=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # What each action did: [{"action": "field_update" | "alert" | "task" | "webhook",
    # "ok": bool, "detail": {...}}, ...] (``automation.log`` says it in words).
    actions = models.JSONField(_("actions"), default=list)

    class Meta:
        ordering = ["-fired_at", "-pk"]
        verbose_name = _("rule firing")
        verbose_name_plural = _("rule firings")
        constraints = [
            models.UniqueConstraint(fields=["rule", "event"], name="automation_firing_once"),
            models.UniqueConstraint(
                fields=["rule", "ticket", "episode"],
                condition=~Q(episode=""),
                name="automation_firing_ticket_episode",
            ),
            models.UniqueConstraint(
                fields=["rule", "contract", "episode"],
                condition=~Q(episode=""),
                name="automation_firing_contract_episode",
            ),
        ]
        indexes = [
            models.Index(fields=["rule", "-fired_at"], name="firing_rule_idx"),
            models.Index(fields=["ticket", "-fired_at"], name="firing_ticket_idx"),
            models.Index(fields=["contract", "-fired_at"], name="firing_contract_idx"),
        ]

    def __str__(self):
        return f"{self.rule} · {self.fired_at:%Y-%m-%d %H:%M}"

    @property
    def record(self):
        return self.ticket if self.ticket_id else self.contract


class WebhookDelivery(models.Model):
    """One webhook call of one firing, tried until the endpoint accepts it or it gives up."""

    firing = models.ForeignKey(Firing, on_delete=models.CASCADE, related_name="deliveries")
    url = models.URLField(_("URL"), max_length=500)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    gave_up_at = models.DateTimeField(_("gave up"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return f"{self.url} · {self.created_at:%Y-%m-%d %H:%M}"


class WebhookAttempt(models.Model):
    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self):
        return f"{self.status_code or self.error} · {self.at:%Y-%m-%d %H:%M:%S}"

    @property
    def accepted(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class TaskQuerySet(DepartmentScopedQuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)


class Task(models.Model):
    """Something to do by a due time: made by a rule or by hand on a ticket page."""

    department = models.ForeignKey(
        "desk.Department", on_delete=models.CASCADE, related_name="+", verbose_name=_("department")
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("ticket"),
        db_index=False,
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("contract"),
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # The rule that made it (empty: made by hand); its name is kept if the rule is deleted.
    rule = models.ForeignKey(
        Rule, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    rule_name = models.CharField(_("made by the rule"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [
            # My tasks: the open ones, by due time.
            models.Index(
                fields=["assignee", "due_at"],
                condition=Q(done_at__isnull=True),
                name="task_open_assignee_due_idx",
            ),
            models.Index(fields=["ticket", "due_at"], name="task_ticket_idx"),
            models.Index(fields=["contract", "due_at"], name="task_contract_idx"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    def is_overdue(self, now) -> bool:
        return self.done_at is None and self.due_at < now
