from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import SupportPlan


@admin.register(SupportPlan)
class SupportPlanAdmin(SimpleHistoryAdmin):
    list_display = ["name", "department", "plan_type", "terms", "sla", "is_active"]
    list_filter = ["plan_type", "credit_cycle", "is_active", "department", "sla"]
    list_select_related = ["department", "sla"]
    search_fields = ["name"]
