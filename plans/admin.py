from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import SupportPlan


@admin.register(SupportPlan)
class SupportPlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "department", "plan_type", "credit_terms", "sla", "is_active"]
    list_filter = ["plan_type", "credit_cycle", "is_active", "department", "sla"]
    list_select_related = ["department", "sla"]
    search_fields = ["name"]

    @admin.display(description=_("Terms"))
    def credit_terms(self, plan):
        return plan.terms
