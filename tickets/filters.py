import django_filters
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.filters import ListFilterSet, as_id, by_id_or_name
from desk.selectors import department_list

from .choices import Priority, Status


class SlaState(models.TextChoices):
    NONE = "none", _("Follows no SLA")
    ON_TRACK = "on_track", _("On track")
    OVERDUE = "overdue", _("Overdue")
    PAUSED = "paused", _("Paused (on hold)")
    MET = "met", _("Resolved in time")
    BREACHED = "breached", _("Resolved late")


def sla_state_condition(state: str, now) -> Q:
    """The tickets in one SLA state at ``now``, as a condition the database evaluates."""
    done = Q(status__in=Status.resolved_kinds())
    paused = Q(status__in=Status.on_hold_kinds())
    late = Q(resolution_due_at__lt=now) | Q(
        first_responded_at__isnull=True, response_due_at__lt=now
    )
    with_sla = Q(sla__isnull=False)
    return {
        SlaState.NONE: Q(sla__isnull=True),
        SlaState.PAUSED: with_sla & paused,
        SlaState.OVERDUE: with_sla & ~done & ~paused & late,
        SlaState.ON_TRACK: with_sla & ~done & ~paused & ~late,
        SlaState.MET: with_sla & done & Q(resolved_at__lte=F("resolution_due_at")),
        SlaState.BREACHED: with_sla & done & Q(resolved_at__gt=F("resolution_due_at")),
    }[state]


def _departments(request):
    return department_list(request.user)


ME, NOBODY = "me", "none"


class TicketFilter(ListFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices)
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

    def filter_sla_state(self, queryset, name, value):
        return queryset.filter(sla_state_condition(value, timezone.now()))
