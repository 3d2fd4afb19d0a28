import datetime

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from desk.filters import ListFilterSet, by_id_or_name
from plans.models import SupportPlan
from sla.models import SLA

from .models import Contract


def _plans(request):
    return SupportPlan.objects.visible_to(request.user).filter(department__contracts_enabled=True)


def _slas(request):
    return SLA.objects.visible_to(request.user)


def _owners(request):
    """The desk's people. (Listing only those who own a contract the user sees read every
    contract: 80 ms at 10,000 contracts, for a list of a few dozen names.)"""
    return get_user_model().objects.order_by("username")


class ContractOrderingFilter(django_filters.OrderingFilter):
    """Sorting by end date puts contracts without one after every date: their end is "for ever"
    (SPEC section 6), on SQLite as on PostgreSQL (which disagree where NULL sorts)."""

    def get_ordering_value(self, param):
        value = super().get_ordering_value(param)
        if value.lstrip("-") == "end_date":
            if value.startswith("-"):
                return F("end_date").desc(nulls_first=True)
            return F("end_date").asc(nulls_last=True)
        return value


class ContractFilter(ListFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Contract.Status.choices, method="filter_status"
    )
    account = django_filters.CharFilter(label=_("Account"), method="filter_account")
    support_plan = django_filters.ModelChoiceFilter(label=_("Support plan"), queryset=_plans)
    sla = django_filters.ModelChoiceFilter(
        label=_("SLA"), field_name="support_plan__sla", queryset=_slas
    )
    owner = django_filters.ModelChoiceFilter(label=_("Owner"), queryset=_owners)
    expiring_within = django_filters.NumberFilter(
        label=_("Expiring within (days)"),
        method="filter_expiring_within",
        min_value=0,
        max_value=36_500,  # a century: beyond it a date overflows
    )
    o = ContractOrderingFilter(
        label=_("Sort by"),
        empty_label=_("Newest start first"),
        fields=(
            ("contract_number", "contract_number"),
            ("name", "name"),
            ("account__name", "account"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
        ),
        field_labels={
            "contract_number": _("Number"),
            "name": _("Name"),
            "account__name": _("Account"),
            "start_date": _("Start date"),
            "end_date": _("End date"),
            # django-filter would build these at import time, in English.
            "-contract_number": _("Number (descending)"),
            "-name": _("Name (descending)"),
            "-account": _("Account (descending)"),
            "-start_date": _("Start date (descending)"),
            "-end_date": _("End date (descending)"),
        },
    )

    class Meta:
        model = Contract
        fields = ["status", "account", "support_plan", "sla", "owner", "expiring_within"]

    def filter_account(self, queryset, name, value):
        return by_id_or_name(queryset, relation="account", value=value)

    def filter_status(self, queryset, name, value):
        today = timezone.localdate()
        return {
            Contract.Status.UPCOMING: queryset.upcoming_on,
            Contract.Status.ACTIVE: queryset.active_on,
            Contract.Status.EXPIRED: queryset.expired_on,
        }[value](today)

    def filter_expiring_within(self, queryset, name, value):
        # A contract without an end date never expires: ``end_date >= today`` leaves it out.
        today = timezone.localdate()
        return queryset.filter(
            end_date__gte=today, end_date__lte=today + datetime.timedelta(days=int(value))
        )
