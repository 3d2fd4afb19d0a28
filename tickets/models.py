from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from desk import links
from desk.access import DepartmentScopedQuerySet
from desk.choices import Priority, Status
from sla.clock import RUNNING


class TicketQuerySet(DepartmentScopedQuerySet):
    def open(self):
        return self.exclude(status__in=Status.resolved_kinds())


# The tickets not resolved nor closed: what most indexes of moments hold (a desk's years of
# resolved tickets are not in them).
UNRESOLVED = ~Q(status__in=sorted(Status.resolved_kinds()))

# A foreign key that leads one of a table's indexes has no index of its own (``db_index=False``):
# the longer index serves its lookups, and each row written updates one index fewer. The history
# is read by ticket (its ``id`` index), never by what a version pointed at: none of its keys has
# one.
HISTORY_UNINDEXED = [
    "account",
    "contact",
    "department",
    "assignee",
    "created_by",
    "contract",
    "sla",
]


class Ticket(models.Model):
    """A customer's request. It follows at most one contract, and through it at most one SLA."""

    class SlaExemption(models.TextChoices):
        NONE = "", _("Follows the plan's SLA")
        CREDITS_USED_UP = "credits_used_up", _("The plan's credits for this cycle were used up")

    subject = models.CharField(_("subject"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    account = models.ForeignKey(
        "customers.Account",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("account"),
        db_index=False,
    )
    contact = models.ForeignKey(
        "customers.Contact",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("contact"),
    )
    department = models.ForeignKey(
        "desk.Department",
        on_delete=models.PROTECT,
        related_name="tickets",
        verbose_name=_("department"),
        db_index=False,
    )
    product_name = models.CharField(_("product name"), max_length=200, blank=True)
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
        verbose_name=_("assignee"),
        db_index=False,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("contract"),
        db_index=False,
    )
    # The SLA the ticket follows (SPEC section 4): its contract's plan's SLA while credits are
    # left, else its department's default SLA (if any), decided at creation and when its contract
    # changes. ``sla_exemption`` tells why not the plan's.
    sla = models.ForeignKey(
        "sla.SLA",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
        verbose_name=_("SLA"),
    )
    sla_exemption = models.CharField(
        _("SLA exemption"), max_length=20, choices=SlaExemption.choices, blank=True
    )
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    on_hold_since = models.DateTimeField(_("on hold since"), null=True, blank=True)
    # Business minutes spent on hold so far; due times are pushed back by as much.
    sla_paused_minutes = models.PositiveIntegerField(_("paused (minutes)"), default=0)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # When things last happened to the ticket: what time-based rules count their hours from
    # (SPEC section 11), kept by the services that make them happen.
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    reopened_at = models.DateTimeField(_("reopened"), null=True, blank=True)
    last_customer_reply_at = models.DateTimeField(_("last customer reply"), null=True, blank=True)
    last_agent_reply_at = models.DateTimeField(_("last agent reply"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(no_db_index=HISTORY_UNINDEXED)
    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="tickets_ticket_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(priority__in=Priority.values),
                name="tickets_ticket_priority_valid",
            ),
        ]
        indexes = [
            # Ticket list over every department, newest first: page ids by an index-only scan.
            models.Index(fields=["-created_at", "-id"], name="ticket_created_idx"),
            # Ticket list filtered by status: the count and the page by an index-only scan.
            models.Index(fields=["status", "-created_at", "-id"], name="ticket_status_created_idx"),
            # Ticket list, newest first within the agent's departments.
            models.Index(
                fields=["department", "-created_at", "-id"], name="ticket_dept_created_idx"
            ),
            # "Assigned to me", newest first: the page ids by an index-only scan.
            models.Index(
                fields=["assignee", "-created_at", "-id"], name="ticket_assignee_created_idx"
            ),
            # Ticket lists per account and per contract, newest first.
            models.Index(fields=["account", "-created_at"], name="ticket_account_created_idx"),
            models.Index(fields=["contract", "-created_at"], name="ticket_contract_created_idx"),
            # The running tickets by due time (not the resolved nor the waiting ones, which the
            # desk gathers by the million): the escalation candidates, and the home page's and
            # the ticket list's overdue and due-soon tickets (``sla.clock.state_condition``).
            models.Index(
                fields=["resolution_due_at", "sla"],
                condition=RUNNING,
                name="ticket_running_resolution_idx",
            ),
            models.Index(
                fields=["response_due_at", "sla"],
                condition=RUNNING & Q(first_responded_at__isnull=True),
                name="ticket_running_response_idx",
            ),
            # The tickets written lately: the escalation run and the time-based rules read them
            # again, whatever their due times and moments (a change since their last sweep).
            models.Index(fields=["updated_at"], name="ticket_updated_idx"),
            # The moments time-based rules count from, as ranges: the open tickets' (their
            # creation is ``ticket_created_idx``), and the resolved tickets' resolution.
            *(
                models.Index(fields=[moment], condition=UNRESOLVED, name=f"ticket_open_{name}_idx")
                for moment, name in [
                    ("status_changed_at", "status_changed"),
                    ("assigned_at", "assigned"),
                    ("last_customer_reply_at", "customer_reply"),
                    ("last_agent_reply_at", "agent_reply"),
                    ("reopened_at", "reopened"),
                ]
            ),
            models.Index(
                fields=["resolved_at"],
                condition=Q(status__in=sorted(Status.resolved_kinds())),
                name="ticket_resolved_at_idx",
            ),
            # The home page's "my open tickets": an agent's unresolved tickets, not the years of
            # resolved ones.
            models.Index(
                fields=["assignee"], condition=UNRESOLVED, name="ticket_unresolved_assignee_idx"
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.subject}"

    def get_absolute_url(self):
        return links.by_pk("tickets:ticket_detail", self.pk)

    # The labels for list rows: get_FOO_display() translates every choice on each call
    # (it hashes the lazy labels), which costs 2 ms on a page of 50 tickets.
    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remember the stored status so receivers can tell a status change from any other save.
        instance._loaded_status = instance.__dict__.get("status")
        return instance

    def save(self, *args, **kwargs):
        if self.is_resolved and self.resolved_at is None:
            self.resolved_at = timezone.now()
        elif not self.is_resolved:
            self.resolved_at = None
        fields = kwargs.get("update_fields")
        if fields is not None and "status" in fields:  # the resolution time follows the status
            kwargs["update_fields"] = {*fields, "resolved_at"}
        super().save(*args, **kwargs)  # post_save receivers still see the previous status
        self._loaded_status = self.status

    @property
    def previous_status(self) -> str | None:
        return getattr(self, "_loaded_status", None)

    def status_changed(self) -> bool:
        return self.previous_status != self.status

    @property
    def follows_default_sla(self) -> bool:
        """Whether the ticket follows its department's default SLA (SPEC section 4): it has an SLA
        but no contract, or its plan's credits were used up when it was created."""
        return self.sla_id is not None and (
            self.contract_id is None or self.sla_exemption == self.SlaExemption.CREDITS_USED_UP
        )

    @property
    def sla_explanation(self) -> str:
        """Why the ticket follows the SLA it follows, in words for its page; empty when it follows
        its plan's SLA. The one place that decides the sentence."""
        used_up = self.sla_exemption == self.SlaExemption.CREDITS_USED_UP
        if self.follows_default_sla:
            if used_up:
                return _(
                    "This ticket follows the department's default SLA: the support plan's "
                    "credits for this cycle were used up when it was created."
                )
            return _(
                "This ticket follows the department's default SLA: it is not covered by a contract."
            )
        if used_up:
            return _(
                "This ticket follows no SLA: the support plan's credits for this cycle were used "
                "up when it was created."
            )
        if self.sla_id is None:
            return _("This ticket follows no SLA: it is not covered by a contract.")
        return ""

    @property
    def is_resolved(self) -> bool:
        return self.status in Status.resolved_kinds()

    @property
    def is_on_hold(self) -> bool:
        return self.status in Status.on_hold_kinds()


class EscalationFiring(models.Model):
    """An escalation level that has fired for a ticket, for one due time. Never fires twice."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="escalations", db_index=False
    )
    level = models.ForeignKey(
        "sla.EscalationLevel", on_delete=models.CASCADE, related_name="firings"
    )
    due_at = models.DateTimeField(_("due time escalated"))
    fired_at = models.DateTimeField(_("fired"), auto_now_add=True)

    class Meta:
        ordering = ["fired_at", "pk"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "level", "due_at"], name="tickets_escalationfiring_once"
            )
        ]

    def __str__(self):
        return f"{self.ticket} · {self.level}"


class Reply(models.Model):
    """One entry of a ticket's conversation (SPEC section 9): a public reply, between the agents
    and the customer, or a private note, which only staff ever see."""

    ticket = models.ForeignKey(
        Ticket,
        on_delete=models.CASCADE,
        related_name="replies",
        verbose_name=_("ticket"),
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    # Whether the customer wrote it (through the help centre), kept if the author is deleted.
    from_customer = models.BooleanField(_("from the customer"), default=False)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("A private note is seen by staff only.")
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("reply")
        verbose_name_plural = _("replies")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(from_customer=False) | models.Q(is_public=True),
                name="tickets_reply_customer_replies_are_public",
            ),
        ]
        indexes = [models.Index(fields=["ticket", "created_at"], name="reply_ticket_created_idx")]

    def __str__(self):
        return f"#{self.ticket_id} {self.created_at:%Y-%m-%d %H:%M}"
