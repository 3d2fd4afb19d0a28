from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from desk.selectors import department_list

from . import selectors
from .models import CREDIT_LIMIT_MAX, LIMIT_TOO_HIGH, PLAN_LOCKED, SupportPlan

LIMIT_NOT_WHOLE_NUMBER = _("Enter a whole number of tickets.")
LIMIT_BELOW_ONE = _("Enter a credit limit of at least 1 ticket.")
DEPARTMENT_FIXED = _("A plan stays in the department it was created in.")


class SLAChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class SupportPlanForm(forms.ModelForm):
    """Create and edit a plan. Shape only; the rules are the model's (``SupportPlan.clean``).

    On a plan in use the locked fields are shown disabled with the reason; a request that sends a
    different value for one anyway is refused with the lock message rather than ignored.
    """

    credit_limit = forms.IntegerField(
        label=_("Credit limit"),
        required=False,
        min_value=1,
        max_value=CREDIT_LIMIT_MAX,
        help_text=_("Tickets per credit cycle."),
        error_messages={
            "invalid": LIMIT_NOT_WHOLE_NUMBER,
            "min_value": LIMIT_BELOW_ONE,
            "max_value": LIMIT_TOO_HIGH,
        },
    )
    sla = SLAChoiceField(label=_("SLA"), queryset=None)

    class Meta:
        model = SupportPlan
        fields = ["name", "department", "plan_type", "credit_cycle", "credit_limit", "sla"]
        labels = {
            "name": _("Plan name"),
            "department": _("Department"),
            "plan_type": _("Plan type"),
            "credit_cycle": _("Credit cycle"),
        }
        widgets = {"plan_type": forms.RadioSelect}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = department_list(user)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = None if len(departments) == 1 else "---------"
        slas = selectors.sla_choices_for_plans(user)
        self.fields["sla"].queryset = slas
        self.fields["credit_cycle"].choices = [("", "---------"), *SupportPlan.CreditCycle.choices]
        self._offer_active_slas_by_department(slas)
        self.is_locked = self.instance.pk is not None and self.instance.is_in_use()
        if self.instance.pk is not None:
            self.fields["department"].disabled = True
        elif len(departments) == 1:
            self.initial.setdefault("department", departments[0].pk)
        if self.is_locked:
            for name in SupportPlan.LOCKED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = PLAN_LOCKED
        for name in ("credit_cycle", "credit_limit"):
            self.fields[name].widget.attrs["data-ticket-based-only"] = "true"
        self.helper = FormHelper()
        self.helper.add_input(
            Submit("submit", _("Save plan") if self.instance.pk else _("Create plan"))
        )

    def _offer_active_slas_by_department(self, slas):
        """List the active SLAs (and the plan's current one) grouped by department."""
        current = self.instance.sla_id if self.instance.pk else None
        groups: dict[str, list] = {}
        for sla in slas:
            if sla.is_active or sla.pk == current:
                groups.setdefault(sla.department.name, []).append((sla.pk, sla.name))
        self.fields["sla"].choices = [("", "---------"), *groups.items()]

    def clean(self):
        cleaned = super().clean()
        fixed = list(SupportPlan.LOCKED_FIELDS) if self.is_locked else []
        if self.instance.pk is not None:
            fixed.append("department")
        for name in fixed:
            # A disabled field keeps its stored value; a request sending another one is forged.
            if name in self.data and self._posted_differs(name):
                self.add_error(name, DEPARTMENT_FIXED if name == "department" else PLAN_LOCKED)
        return cleaned

    def terms(self) -> dict:
        """The cleaned name and terms, as the plan services take them."""
        return {
            name: self.cleaned_data[name]
            for name in ("name", "plan_type", "credit_cycle", "credit_limit", "sla")
        }

    def _posted_differs(self, name: str) -> bool:
        field = self.fields[name]
        posted = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        stored = field.prepare_value(self.get_initial_for_field(field, name))
        return str(posted or "") != str(stored if stored is not None else "")
