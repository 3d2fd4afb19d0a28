import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.choices import Priority, Status
from desk.filters import ListFilterSet, as_id, by_id_or_name
from desk.selectors import department_list, user_departments
from sla.clock import SlaState, state_condition


def _departments(request):
    return department_list(request.user)


ME, NOBODY = "me", "none"
UNRESOLVED, RESOLVED = "unresolved", "resolved"


class TicketFilter(ListFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
    resolution = django_filters.ChoiceFilter(
        label=_("Resolution"),
        choices=[(UNRESOLVED, _("Not resolved")), (RESOLVED, _("Resolved or closed"))],
        method="filter_resolution",
    )
    priority = django_filters.ChoiceFilter(label=_("Priority"), choices=Priority.choices)
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=_departments)
    account = django_filters.CharFilter(label=_("Account"), method="filter_account")
    contract = django_filters.CharFilter(label=_("Contract number"), method="filter_contract")
    sla_state = django_filters.ChoiceFilter(
        label=_("SLA"), choices=SlaState.choices, method="filter_sla_state"
    )
    assignee = django_filters.ChoiceFilter(
        label=_("Assignee"),
        choices=[(ME, _("Me")), (NOBODY, _("Unassigned"))],
        method="filter_assignee",
    )

    def records_read(self):
        return {"department": user_departments(self.request.user)}

    def filter_account(self, queryset, name, value):
        return by_id_or_name(queryset, relation="account", value=value)

    def filter_contract(self, queryset, name, value):
        value = value.strip()
        condition = Q(contract__contract_number__iexact=value)
        if (pk := as_id(value)) is not None:
            condition |= Q(contract_id=pk)
        return queryset.filter(condition)

    def filter_assignee(self, queryset, name, value):
        if value == ME:
            return queryset.filter(assignee=self.request.user)
        return queryset.filter(assignee__isnull=True)

    def filter_resolution(self, queryset, name, value):
        resolved = Q(status__in=Status.resolved_kinds())
        return queryset.filter(resolved if value == RESOLVED else ~resolved)

    def filter_sla_state(self, queryset, name, value):
        return queryset.filter(state_condition(value, timezone.now()))
