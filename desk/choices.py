"""Ticket status and priority, shared by the SLA clock, the credits and the tickets: owned by
none of them, so that neither ``sla`` nor ``tickets`` imports the other for them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")

    @classmethod
    def raised(cls, priority: str) -> str:
        """The next priority up; urgent stays urgent."""
        order = list(cls.values)
        return order[min(order.index(priority) + 1, len(order) - 1)]

    @classmethod
    def urgent_first(cls) -> list["Priority"]:
        """The priorities in the order the desk lists them: urgent first, low last."""
        return list(reversed(cls))


class Status(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    ON_HOLD = "on_hold", _("On hold")
    WAITING_ON_CUSTOMER = "waiting_on_customer", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")

    @classmethod
    def on_hold_kinds(cls) -> frozenset[str]:
        """Statuses that stop the SLA clock."""
        return frozenset({cls.ON_HOLD, cls.WAITING_ON_CUSTOMER})

    @classmethod
    def resolved_kinds(cls) -> frozenset[str]:
        """Statuses in which the ticket counts as resolved (and holds a credit)."""
        return frozenset({cls.RESOLVED, cls.CLOSED})
