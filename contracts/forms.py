from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from desk.people import person_name
from desk.selectors import department_list
from desk.validators import date_input_attrs, validate_date_in_range
from plans.models import SupportPlan
from plans.selectors import plans_offered_for_contracts

from . import selectors, services
from .credits import ADJUSTMENT_MAX, ADJUSTMENT_NEEDS_CONFIRMATION
from .models import Contract


class PlanChoiceField(forms.ModelChoiceField):
    """Lists the plans on offer, but looks a posted id up among every plan the user can see.

    So a posted inactive plan reaches the service, which refuses it with its own message on the
    field, instead of a bare "not one of the choices".
    """

    def __init__(self, *args, lookup_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookup_queryset = lookup_queryset

    def to_python(self, value):
        if self.lookup_queryset is None or value in self.empty_values:
            return super().to_python(value)
        try:
            return self.lookup_queryset.get(pk=value)
        except (ValueError, TypeError, SupportPlan.DoesNotExist) as error:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            ) from error

    def validate(self, value):
        forms.Field.validate(self, value)


def colleagues(user, *, include=()):
    """Users who can own a contract or be notified: the people of the user's departments.

    ``include`` keeps the people already chosen on a contract selectable.
    """
    return (
        get_user_model()
        .objects.filter(
            Q(pk=user.pk)
            | Q(pk__in=list(include))
            | Q(departments__in=department_list(user), is_active=True)
        )
        .distinct()
        .order_by("username")
    )


class ContractForm(forms.ModelForm):
    support_plan = PlanChoiceField(queryset=SupportPlan.objects.none(), label=_("Support plan"))

    class Meta:
        model = Contract
        fields = services.FORM_FIELDS
        widgets = {
            "start_date": forms.DateInput(attrs=date_input_attrs(), format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs=date_input_attrs(), format="%Y-%m-%d"),
            "notify_users": forms.SelectMultiple(attrs={"size": 6}),
        }

    def __init__(self, *args, user, renewing: Contract | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = self.instance if self.instance.pk else None
        chosen = []
        if current is not None:
            chosen = [current.owner_id, *current.notify_users.values_list("pk", flat=True)]
        people = colleagues(user, include=chosen)
        for name in ("owner", "notify_users"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = person_name
        if current is None:
            self.fields["owner"].initial = user.pk
        offered = plans_offered_for_contracts(user)
        if current is not None:
            # The current plan stays selectable even if it was deactivated since.
            offered = SupportPlan.objects.filter(
                Q(pk__in=offered.values("pk")) | Q(pk=current.support_plan_id)
            ).select_related("sla")
        plan_field = self.fields["support_plan"]
        plan_field.queryset = offered.order_by("name", "pk")
        plan_field.lookup_queryset = SupportPlan.objects.visible_to(user).filter(
            department__contracts_enabled=True
        )
        plan_field.label_from_instance = lambda plan: f"{plan.name} · {plan.terms} · {plan.sla}"
        for name in ("start_date", "end_date"):
            self.fields[name].validators.append(validate_date_in_range)
        self.fields["end_date"].required = False
        self.fields["end_date"].help_text = _("Leave empty for a contract with no end date.")
        self.fields["notify_days_before"].min_value = 0
        self.fields["notify_users"].help_text = _("Hold Ctrl (⌘ on a Mac) to choose several.")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Contract"), *services.CONTRACT_FIELDS),
            Fieldset(_("Contract expiry notification"), *services.NOTIFICATION_FIELDS),
            Submit("save", _("Save")),
        )
        # Disabled fields keep their stored value; ``clean`` refuses a forged post of another.
        self.fixed: dict[str, str] = {}
        if current is not None and services.has_history(current):
            self.fixed = dict.fromkeys(services.PINNED_FIELDS, services.PINNED_BY_HISTORY)
        elif renewing is not None:
            self.fixed = {"account": services.RENEW_SAME_ACCOUNT}
        for name, why in self.fixed.items():
            self.fields[name].disabled = True
            self.fields[name].help_text = why

    def clean(self):
        cleaned = super().clean()
        for name, why in self.fixed.items():
            if name in self.data and self._posted_differs(name):
                self.add_error(name, why)
        return cleaned

    def _posted_differs(self, name: str) -> bool:
        field = self.fields[name]
        posted = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        stored = field.prepare_value(self.get_initial_for_field(field, name))
        if hasattr(stored, "pk"):
            stored = stored.pk
        return str(posted or "") != str(stored if stored is not None else "")

    def _post_clean(self):
        # The service runs the model's rules (and the overlap check) under a lock; the form only
        # checks the shape of the input, so each error is reported once, on its field.
        pass


class CreditAdjustmentForm(forms.Form):
    delta = forms.IntegerField(
        label=_("Credits"),
        min_value=-ADJUSTMENT_MAX,
        max_value=ADJUSTMENT_MAX,
        help_text=_("Positive to add credits, negative to take them away."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)
    confirm = forms.BooleanField(label=_("Yes, adjust by this many credits"), required=False)

    def __init__(self, *args, action: str = "", credit_limit: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.credit_limit = credit_limit
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout("delta", "reason", Submit("adjust", _("Adjust credits")))

    def clean(self):
        """An adjustment larger than the plan's credits per cycle is asked again: the checkbox
        shows, with a warning, and only a post with it ticked reaches the service."""
        cleaned = super().clean()
        delta = cleaned.get("delta")
        if delta is not None and self.credit_limit is not None and abs(delta) > self.credit_limit:
            self.helper.layout.insert(2, "confirm")
            if not cleaned.get("confirm"):
                self.add_error(
                    "confirm",
                    forms.ValidationError(
                        ADJUSTMENT_NEEDS_CONFIRMATION,
                        code="confirm",
                        params={"delta": abs(delta), "limit": self.credit_limit},
                    ),
                )
        return cleaned


# --- the usage range (the plan overview; the help centre's contract page) ----------------------

RANGE_ENDS_BEFORE_START = _("The end of the range cannot be before its start.")
RANGE_TOO_LONG = _("Choose a range of at most 10 years.")
MAX_RANGE_DAYS = 3653


class UsageForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs=date_input_attrs()),
        validators=[validate_date_in_range],
    )
    end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs=date_input_attrs()),
        validators=[validate_date_in_range],
    )
    group = forms.ChoiceField(label=_("Group by"), choices=selectors.Grouping.CHOICES)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", RANGE_ENDS_BEFORE_START)
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("start", RANGE_TOO_LONG)
        return cleaned


def usage_range(query) -> tuple[UsageForm, dict]:
    """The usage form for a page's query string, and the range and grouping to show: what was
    asked when valid (a field left out keeps its default), else the last 12 months by month."""
    start, end = selectors.default_usage_range()
    params = {"start": start, "end": end, "group": selectors.Grouping.MONTH}
    asked = {key: query[key] for key in params if key in query}
    defaults = {"start": start.isoformat(), "end": end.isoformat(), "group": params["group"]}
    form = UsageForm({**defaults, **asked} if asked else None, initial=params)
    if form.is_bound and form.is_valid():
        params = form.cleaned_data
    return form, params
