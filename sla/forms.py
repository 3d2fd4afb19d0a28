import re
import zoneinfo

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from desk.choices import Priority
from desk.people import person_name
from desk.selectors import department_list
from desk.validators import date_input_attrs, validate_date_in_range

from .models import SLA, EscalationLevel, HolidayList, WorkingPeriod
from .services import (
    MAX_OFFSET_MINUTES,
    MAX_TARGET_HOURS,
    OFFSET_TOO_LONG,
    TARGET_TOO_LONG,
    HolidayInput,
    LevelInput,
    period_field,
)

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


def _periods_by_day(sla: SLA) -> dict[int, list[WorkingPeriod]]:
    days: dict[int, list[WorkingPeriod]] = {}
    for period in sorted(sla.working_periods.all(), key=lambda p: (p.weekday, p.start_time)):
        days.setdefault(period.weekday, []).append(period)
    return days


class SLAForm(forms.Form):
    """The SLA's own fields, a response and resolution target per priority, a weekly schedule
    with one or more periods a day."""

    PERIODS_PER_DAY = 2
    MOST_PERIODS_PER_DAY = 12  # what a posted form may ask for

    name = forms.CharField(label=_("Name"), max_length=100)
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    business_hours = forms.ChoiceField(
        label=_("Business hours"), choices=SLA.BusinessHours.choices, initial="24x7"
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES, initial="UTC")
    holiday_list = forms.ModelChoiceField(
        label=_("Holiday list"),
        queryset=HolidayList.objects.all(),
        required=False,
        empty_label=_("No holidays"),
    )

    def __init__(self, *args, user, sla: SLA | None = None, **kwargs):
        if sla is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(sla)
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = department_list(user).order_by("name")
        for priority, label in ((p.value, p.label) for p in Priority.urgent_first()):
            for kind, kind_label in (("response", _("response")), ("resolution", _("resolution"))):
                names = {"priority": label, "kind": kind_label}
                self.fields[f"{priority}_{kind}_hours"] = forms.IntegerField(
                    label=_("%(priority)s · %(kind)s · hours") % names,
                    required=False,
                    max_value=MAX_TARGET_HOURS,
                    error_messages={"max_value": TARGET_TOO_LONG},
                )
                self.fields[f"{priority}_{kind}_minutes"] = forms.IntegerField(
                    label=_("%(priority)s · %(kind)s · minutes") % names,
                    required=False,
                    max_value=59,
                )
        self.period_numbers = range(1, self._period_count(sla) + 1)
        for weekday, label in WorkingPeriod.Weekday.choices:
            for number in self.period_numbers:
                names = {"day": label, "number": number}
                for end, text in (
                    ("start", _("%(day)s · period %(number)s · from")),
                    ("end", _("%(day)s · period %(number)s · to")),
                ):
                    self.fields[period_field(weekday, number, end)] = forms.TimeField(
                        label=text % names,
                        required=False,
                        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                    )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    @staticmethod
    def initial_for(sla: SLA) -> dict:
        initial = {
            "name": sla.name,
            "department": sla.department_id,
            "description": sla.description,
            "is_active": sla.is_active,
            "business_hours": sla.business_hours,
            "time_zone": sla.time_zone,
            "holiday_list": sla.holiday_list_id,
        }
        for target in sla.targets.all():
            for kind in ("response", "resolution"):
                minutes = getattr(target, f"{kind}_minutes")
                initial[f"{target.priority}_{kind}_hours"] = minutes // 60
                initial[f"{target.priority}_{kind}_minutes"] = minutes % 60
        for weekday, day_periods in _periods_by_day(sla).items():
            for number, period in enumerate(day_periods, start=1):
                initial[period_field(weekday, number, "start")] = period.start_time
                initial[period_field(weekday, number, "end")] = period.end_time
        return initial

    def _period_count(self, sla: SLA | None) -> int:
        """Periods a day offers: two (a lunch break), or as many as the SLA has on its
        busiest day, or as many as were posted, so that saving never drops one."""
        count = self.PERIODS_PER_DAY
        if sla is not None:
            count = max(count, *map(len, _periods_by_day(sla).values()), 0)
        numbered = re.compile(r"^[a-z]+_(?:start|end)_(\d{1,2})$")
        for name in self.data:
            if match := numbered.match(name):
                count = max(count, min(int(match.group(1)), self.MOST_PERIODS_PER_DAY))
        return count

    def target_rows(self):
        """(priority label, response hours, response minutes, resolution hours, minutes) rows."""
        for priority, label in ((p.value, p.label) for p in Priority.urgent_first()):
            yield (
                label,
                [
                    self[f"{priority}_{kind}_{unit}"]
                    for kind in ("response", "resolution")
                    for unit in ("hours", "minutes")
                ],
            )

    def schedule_rows(self):
        """(day label, [(from field, to field) per period]) rows."""
        for weekday, label in WorkingPeriod.Weekday.choices:
            yield (
                label,
                [
                    (self[period_field(weekday, n, "start")], self[period_field(weekday, n, "end")])
                    for n in self.period_numbers
                ],
            )

    def targets(self) -> dict[str, tuple[int | None, int | None]]:
        """Minutes per priority; ``None`` when the hours and minutes are both left empty."""
        data = self.cleaned_data
        result = {}
        for priority in Priority.values:
            values = []
            for kind in ("response", "resolution"):
                hours = data.get(f"{priority}_{kind}_hours")
                minutes = data.get(f"{priority}_{kind}_minutes")
                if hours is None and minutes is None:
                    values.append(None)
                elif (hours or 0) < 0 or (minutes or 0) < 0:
                    values.append(-1)
                else:
                    values.append((hours or 0) * 60 + (minutes or 0))
            result[priority] = tuple(values)
        return result

    def periods(self):
        """Every period field of every day, empty ones included (the service numbers them)."""
        data = self.cleaned_data
        return [
            (
                weekday,
                data.get(period_field(weekday, n, "start")),
                data.get(period_field(weekday, n, "end")),
            )
            for weekday in WorkingPeriod.Weekday.values
            for n in self.period_numbers
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "department": data["department"],
            "name": data["name"],
            "description": data["description"],
            "is_active": data["is_active"],
            "business_hours": data["business_hours"],
            "time_zone": data["time_zone"],
            "holiday_list": data["holiday_list"],
            "targets": self.targets(),
            "periods": self.periods(),
        }

    def add_service_errors(self, error) -> None:
        """Put a service's ValidationError next to the field it concerns."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            for name in (key, f"{key}_hours"):
                if name in self.fields:
                    self.add_error(name, messages)
                    break
            else:
                self.add_error(None, messages)


class EscalationLevelForm(forms.Form):
    WHEN_BEFORE, WHEN_AFTER = "before", "after"

    # Blank first choices, so that an untouched extra row submits what it started with.
    target = forms.ChoiceField(
        label=_("Target"), choices=[("", "---------"), *EscalationLevel.Target.choices]
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        min_value=0,
        max_value=MAX_OFFSET_MINUTES,
        initial=0,
        error_messages={"max_value": OFFSET_TOO_LONG},
    )
    when = forms.ChoiceField(
        label=_("When"),
        choices=[(WHEN_BEFORE, _("before the due time")), (WHEN_AFTER, _("after the due time"))],
        initial=WHEN_AFTER,
    )
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", "---------"), *EscalationLevel.Action.choices]
    )
    notify_users = forms.ModelMultipleChoiceField(
        label=_("Users to notify"), queryset=None, required=False
    )
    reassign_to = forms.ModelChoiceField(label=_("Reassign to"), queryset=None, required=False)

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        users = users if users is not None else get_user_model().objects.none()
        for name in ("notify_users", "reassign_to"):
            self.fields[name].queryset = users
            self.fields[name].label_from_instance = person_name

    def clean(self):
        data = super().clean()
        if data.get("action") == EscalationLevel.Action.REASSIGN and not data.get("reassign_to"):
            self.add_error("reassign_to", _("Choose the agent to reassign to."))
        if data.get("action") == EscalationLevel.Action.NOTIFY and not data.get("notify_users"):
            self.add_error("notify_users", _("Choose at least one user to notify."))
        return data

    def level_input(self) -> LevelInput:
        data = self.cleaned_data
        sign = -1 if data["when"] == self.WHEN_BEFORE else 1
        return LevelInput(
            target=data["target"],
            offset_minutes=sign * data["minutes"],
            action=data["action"],
            notify_users=list(data.get("notify_users") or []),
            reassign_to=data.get("reassign_to"),
        )

    @classmethod
    def initial_for(cls, level: EscalationLevel) -> dict:
        return {
            "target": level.target,
            "minutes": abs(level.offset_minutes),
            "when": cls.WHEN_BEFORE if level.offset_minutes < 0 else cls.WHEN_AFTER,
            "action": level.action,
            "notify_users": [u.pk for u in level.notify_users.all()],
            "reassign_to": level.reassign_to_id,
        }


class BaseEscalationFormSet(forms.BaseFormSet):
    def level_inputs(self) -> list[LevelInput]:
        return [
            form.level_input()
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and not self._should_delete_form(form)
            and form.cleaned_data
        ]


# Two blank levels a page: without script (which adds more, "Add another level"), two levels can
# be added in one save.
EscalationLevelFormSet = forms.formset_factory(
    EscalationLevelForm, formset=BaseEscalationFormSet, extra=2, can_delete=True
)


def escalation_users(user):
    """People who can be notified or given a ticket: active members of the user's departments."""
    return (
        get_user_model()
        .objects.filter(is_active=True, departments__in=department_list(user))
        .distinct()
        .order_by("username")
    )


# -- holiday lists --------------------------------------------------------------------------------


class HolidayListForm(forms.Form):
    """A holiday list's own field; its holidays are ``HolidayFormSet``."""

    name = forms.CharField(label=_("Name"), max_length=100)

    def __init__(self, *args, holiday_list: HolidayList | None = None, **kwargs):
        if holiday_list is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": holiday_list.name}
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def add_service_errors(self, error, formset: "BaseHolidayFormSet") -> None:
        """Put a service's ValidationError on the name, or above the holidays."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            if key == "holidays":
                formset.add_service_errors(messages)
            elif key in self.fields:
                self.add_error(key, messages)
            else:
                self.add_error(None, messages)


class HolidayForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs=date_input_attrs(), format="%Y-%m-%d"),
        validators=[validate_date_in_range],
    )
    name = forms.CharField(label=_("Name"), max_length=100, required=False)


class BaseHolidayFormSet(forms.BaseFormSet):
    def holiday_inputs(self) -> list[HolidayInput]:
        """The holidays the list keeps: the rows shown filled in and not marked for deletion,
        and the blank rows that were filled in."""
        return [
            HolidayInput(date=form.cleaned_data.get("date"), name=form.cleaned_data.get("name", ""))
            for index, form in enumerate(self.forms)
            if (index < self.initial_form_count() or form.has_changed())
            and not self._should_delete_form(form)
            and form.cleaned_data
        ]

    def add_service_errors(self, messages) -> None:
        """Show a service's messages about the holidays (a day listed twice) above them."""
        self.non_form_errors()  # computed first, so that these are added to it
        assert self._non_form_errors is not None
        self._non_form_errors.extend(messages)

    @staticmethod
    def initial_for(holiday_list: HolidayList) -> list[dict]:
        return [{"date": h.date, "name": h.name} for h in holiday_list.holidays.all()]


# A few blank rows a page: without script (which adds more, "Add another day"), several days can
# be added in one save. Only the days already listed have a Delete box: a new row is left empty.
MAX_HOLIDAY_ROWS = 1000
HolidayFormSet = forms.formset_factory(
    HolidayForm,
    formset=BaseHolidayFormSet,
    extra=3,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_HOLIDAY_ROWS,
    validate_max=True,
)
