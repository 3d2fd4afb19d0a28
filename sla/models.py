import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from desk import links
from desk.access import DepartmentScopedQuerySet
from desk.choices import Priority
from desk.validators import validate_date_in_range


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


class HolidayList(models.Model):
    """A named list of whole-day holidays that several SLAs can share."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("holiday list")
        verbose_name_plural = _("holiday lists")

    def __str__(self):
        return self.name


class Holiday(models.Model):
    holiday_list = models.ForeignKey(
        HolidayList,
        on_delete=models.CASCADE,
        related_name="holidays",
        verbose_name=_("list"),
        db_index=False,
    )
    date = models.DateField(_("date"), validators=[validate_date_in_range])
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(
                fields=["holiday_list", "date"], name="sla_holiday_one_per_day_per_list"
            )
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class SLAQuerySet(DepartmentScopedQuerySet):
    def active(self):
        return self.filter(is_active=True)


class SLA(models.Model):
    """The service level promised to customers: response and resolution targets per priority."""

    class BusinessHours(models.TextChoices):
        ALWAYS = "24x7", _("24 × 7")
        WEEKLY = "weekly", _("Weekly schedule")

    department = models.ForeignKey(
        "desk.Department",
        on_delete=models.PROTECT,
        related_name="slas",
        verbose_name=_("department"),
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    business_hours = models.CharField(
        _("business hours"),
        max_length=10,
        choices=BusinessHours.choices,
        default=BusinessHours.ALWAYS,
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    # The department's default SLA (SPEC section 4): followed by tickets that follow no plan's SLA.
    is_default = models.BooleanField(
        _("department's default"),
        default=False,
        help_text=_(
            "Tickets without a contract, and tickets opened when their plan's credits were used "
            "up, follow this SLA."
        ),
    )
    holiday_list = models.ForeignKey(
        HolidayList,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slas",
        verbose_name=_("holidays"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = SLAQuerySet.as_manager()

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("SLA")
        verbose_name_plural = _("SLAs")
        constraints = [
            models.UniqueConstraint(fields=["department", "name"], name="sla_sla_name_unique"),
            models.UniqueConstraint(
                fields=["department"],
                condition=Q(is_default=True),
                name="sla_sla_one_default_per_department",
            ),
            models.CheckConstraint(
                condition=Q(business_hours__in=["24x7", "weekly"]),
                name="sla_sla_business_hours_valid",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.by_pk("sla:sla_detail", self.pk)


class SLATarget(models.Model):
    """Response and resolution targets, in business minutes, for one ticket priority."""

    sla = models.ForeignKey(SLA, on_delete=models.CASCADE, related_name="targets", db_index=False)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    response_minutes = models.PositiveIntegerField(_("response time (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution time (minutes)"))

    class Meta:
        ordering = ["sla", "priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(
                fields=["sla", "priority"], name="sla_slatarget_one_per_priority"
            ),
            models.CheckConstraint(
                condition=Q(response_minutes__gt=0), name="sla_slatarget_response_positive"
            ),
            models.CheckConstraint(
                condition=Q(resolution_minutes__gte=F("response_minutes")),
                name="sla_slatarget_response_within_resolution",
            ),
        ]

    def __str__(self):
        return f"{self.sla} · {self.get_priority_display()}"

    def clean(self):
        if (
            self.response_minutes is not None
            and self.resolution_minutes is not None
            and self.response_minutes > self.resolution_minutes
        ):
            raise ValidationError(
                {"response_minutes": _("The response time cannot exceed the resolution time.")}
            )


class WorkingPeriod(models.Model):
    """One stretch of business hours on one weekday, in the SLA's time zone."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    sla = models.ForeignKey(SLA, on_delete=models.CASCADE, related_name="working_periods")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("to"))

    class Meta:
        ordering = ["sla", "weekday", "start_time"]
        verbose_name = _("business hours")
        verbose_name_plural = _("business hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="sla_workingperiod_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="sla_workingperiod_weekday_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self):
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("Business hours must end after they start.")})


class EscalationLevel(models.Model):
    """At a set time before or after a target is breached, do one thing to the ticket."""

    class Target(models.TextChoices):
        RESPONSE = "response", _("Response due")
        RESOLUTION = "resolution", _("Resolution due")

    class Action(models.TextChoices):
        NOTIFY = "notify", _("Notify users")
        REASSIGN = "reassign", _("Reassign to an agent")
        RAISE_PRIORITY = "raise_priority", _("Raise the priority")

    sla = models.ForeignKey(
        SLA, on_delete=models.CASCADE, related_name="escalation_levels", db_index=False
    )
    level = models.PositiveSmallIntegerField(_("level"))
    target = models.CharField(_("target"), max_length=10, choices=Target.choices)
    offset_minutes = models.IntegerField(
        _("minutes after the due time"),
        default=0,
        help_text=_("Negative to act before the due time, positive to act after the breach."),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    notify_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("notify")
    )
    reassign_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reassign to"),
    )
    # The escalation run has fired this level for every ticket whose time came before this
    # moment (``tickets.escalations``); None for a new level or a changed target or offset.
    swept_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["sla", "level"]
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        constraints = [
            models.UniqueConstraint(fields=["sla", "level"], name="sla_escalationlevel_unique"),
            models.CheckConstraint(
                condition=~Q(action="reassign") | Q(reassign_to__isnull=False),
                name="sla_escalationlevel_reassign_has_agent",
            ),
        ]

    def __str__(self):
        return f"{self.sla} · {_('level')} {self.level}"

    def clean(self):
        if self.action == self.Action.REASSIGN and not self.reassign_to_id:
            raise ValidationError({"reassign_to": _("Choose the agent to reassign to.")})
