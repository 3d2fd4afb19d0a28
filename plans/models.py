from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.models import HistoricalRecords

from desk import links
from desk.access import DepartmentScopedQuerySet

TICKET_BASED_NEEDS_CYCLE = _("A ticket-based plan needs a credit cycle.")
TICKET_BASED_NEEDS_LIMIT = _("A ticket-based plan needs a credit limit of at least 1 ticket.")
# Far above any plan's tickets per cycle, far below the database column's limit.
CREDIT_LIMIT_MAX = 100_000
LIMIT_TOO_HIGH = _("Enter a credit limit of at most %(limit_value)s tickets.")
UNLIMITED_HAS_NO_CYCLE = _("An unlimited plan has no credit cycle.")
UNLIMITED_HAS_NO_LIMIT = _("An unlimited plan has no credit limit.")
SLA_NOT_ACTIVE = _("Choose an active SLA.")
SLA_OTHER_DEPARTMENT = _("Choose an SLA of the plan's department.")
PLAN_LOCKED = _(
    "This plan is used by a contract, so its plan type, credit cycle and SLA can no longer change."
)


class SupportPlanQuerySet(DepartmentScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class SupportPlan(models.Model):
    """The scope of service a customer gets through a contract: a plan type, credits and an SLA."""

    class PlanType(models.TextChoices):
        UNLIMITED = "unlimited", _("Unlimited")
        TICKET_BASED = "ticket_based", _("Ticket-based")

    class CreditCycle(models.TextChoices):
        WEEKLY = "weekly", _("Weekly")
        MONTHLY = "monthly", _("Monthly")
        QUARTERLY = "quarterly", _("Quarterly")
        YEARLY = "yearly", _("Yearly")

    # Once a contract uses the plan, these can no longer change (SPEC section 3).
    LOCKED_FIELDS = ("plan_type", "credit_cycle", "sla")

    department = models.ForeignKey(
        "desk.Department",
        on_delete=models.PROTECT,
        related_name="support_plans",
        verbose_name=_("department"),
        db_index=False,
    )
    name = models.CharField(_("plan name"), max_length=100)
    plan_type = models.CharField(
        _("plan type"), max_length=20, choices=PlanType.choices, default=PlanType.UNLIMITED
    )
    credit_cycle = models.CharField(
        _("credit cycle"), max_length=10, choices=CreditCycle.choices, blank=True
    )
    credit_limit = models.PositiveIntegerField(
        _("credit limit"), null=True, blank=True, help_text=_("Tickets per credit cycle.")
    )
    sla = models.ForeignKey(
        "sla.SLA", on_delete=models.PROTECT, related_name="support_plans", verbose_name=_("SLA")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = SupportPlanQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("support plan")
        verbose_name_plural = _("support plans")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(plan_type="unlimited", credit_cycle="", credit_limit__isnull=True)
                    | Q(
                        plan_type="ticket_based",
                        credit_cycle__in=["weekly", "monthly", "quarterly", "yearly"],
                        credit_limit__isnull=False,  # NULL >= 1 is unknown, which a CHECK passes
                        credit_limit__gte=1,
                    )
                ),
                name="plans_supportplan_terms_match_type",
            ),
            models.UniqueConstraint(
                fields=["department", "name"], name="plans_supportplan_name_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.by_pk("plans:plan_detail", self.pk)

    @property
    def is_ticket_based(self) -> bool:
        return self.plan_type == self.PlanType.TICKET_BASED

    @property
    def terms(self) -> str:
        """ "20 tickets / month" or "Unlimited"."""
        if not self.is_ticket_based:
            return str(_("Unlimited"))
        unit = {
            self.CreditCycle.WEEKLY: _("week"),
            self.CreditCycle.MONTHLY: _("month"),
            self.CreditCycle.QUARTERLY: _("quarter"),
            self.CreditCycle.YEARLY: _("year"),
        }[self.credit_cycle]
        return ngettext(
            "%(limit)s ticket / %(unit)s", "%(limit)s tickets / %(unit)s", self.credit_limit
        ) % {"limit": self.credit_limit, "unit": unit}

    def is_in_use(self) -> bool:
        return self.pk is not None and self.contracts.exists()

    def _stored_terms(self) -> dict | None:
        """The locked fields as stored in the database, keyed by attribute name."""
        if self.pk is None:
            return None
        return type(self).objects.filter(pk=self.pk).values(*self._locked_attnames()).first()

    def _locked_attnames(self) -> list[str]:
        return [self._meta.get_field(name).attname for name in self.LOCKED_FIELDS]

    def locked_changes(self) -> list[str]:
        """The locked fields this instance changes while a contract uses the plan."""
        stored = self._stored_terms()
        if not stored:
            return []
        changed = [
            name
            for name, attname in zip(self.LOCKED_FIELDS, self._locked_attnames(), strict=True)
            if stored[attname] != getattr(self, attname)
        ]
        return changed if changed and self.is_in_use() else []

    def clean(self):
        errors: dict[str, list] = {}
        if self.plan_type == self.PlanType.TICKET_BASED:
            if not self.credit_cycle:
                errors.setdefault("credit_cycle", []).append(TICKET_BASED_NEEDS_CYCLE)
            if self.credit_limit is None or self.credit_limit < 1:
                errors.setdefault("credit_limit", []).append(TICKET_BASED_NEEDS_LIMIT)
            elif self.credit_limit > CREDIT_LIMIT_MAX:
                errors.setdefault("credit_limit", []).append(
                    ValidationError(LIMIT_TOO_HIGH, params={"limit_value": CREDIT_LIMIT_MAX})
                )
        elif self.plan_type == self.PlanType.UNLIMITED:
            if self.credit_cycle:
                errors.setdefault("credit_cycle", []).append(UNLIMITED_HAS_NO_CYCLE)
            if self.credit_limit is not None:
                errors.setdefault("credit_limit", []).append(UNLIMITED_HAS_NO_LIMIT)
        if self.sla_id and self.department_id:
            stored = self._stored_terms()
            sla_changed = not stored or stored["sla_id"] != self.sla_id
            if self.sla.department_id != self.department_id:
                errors.setdefault("sla", []).append(SLA_OTHER_DEPARTMENT)
            elif sla_changed and not self.sla.is_active:
                # An SLA deactivated after the plan chose it keeps serving the plan.
                errors.setdefault("sla", []).append(SLA_NOT_ACTIVE)
        for name in self.locked_changes():
            errors.setdefault(name, []).append(PLAN_LOCKED)
        if errors:
            raise ValidationError(errors)
