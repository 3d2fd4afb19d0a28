import django_filters
from django.utils.translation import gettext_lazy as _

from desk.filters import ListFilterSet, active_filter
from desk.selectors import department_list

from .models import SLA


def _departments(request):
    if request is None:
        return department_list(None).none()
    return department_list(request.user).order_by("name")


class SLAFilter(ListFilterSet):
    department = django_filters.ModelChoiceFilter(label=_("Department"), queryset=_departments)
    is_active = active_filter()

    class Meta:
        model = SLA
        fields = ["department", "is_active"]
