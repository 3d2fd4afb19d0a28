from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import SLA, EscalationLevel, Holiday, HolidayList, SLATarget, WorkingPeriod


class SLATargetInline(admin.TabularInline):
    model = SLATarget
    extra = 0


class WorkingPeriodInline(admin.TabularInline):
    model = WorkingPeriod
    extra = 0


class EscalationLevelInline(admin.StackedInline):
    model = EscalationLevel
    extra = 0
    filter_horizontal = ["notify_users"]


@admin.register(SLA)
class SLAAdmin(SimpleHistoryAdmin):
    list_display = ["name", "department", "business_hours", "time_zone", "is_active"]
    list_filter = ["is_active", "department", "business_hours"]
    list_select_related = ["department"]
    search_fields = ["name"]
    inlines = [SLATargetInline, WorkingPeriodInline, EscalationLevelInline]


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0


@admin.register(HolidayList)
class HolidayListAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [HolidayInline]
