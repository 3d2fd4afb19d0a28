import django_filters
from django.utils.translation import gettext_lazy as _

from desk.filters import ListFilterSet, active_filter

from . import selectors
from .models import SupportPlan


class SupportPlanFilter(ListFilterSet):
    plan_type = django_filters.ChoiceFilter(
        label=_("Type"), choices=SupportPlan.PlanType.choices, empty_label=_("Any type")
    )
    is_active = active_filter()
    sla = django_filters.ModelChoiceFilter(label=_("SLA"), queryset=None, empty_label=_("Any SLA"))

    class Meta:
        model = SupportPlan
        fields = ["plan_type", "is_active", "sla"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["sla"].queryset = selectors.sla_choices_for_plans(user)
