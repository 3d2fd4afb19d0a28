from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from desk.admin import ServiceAdmin

from . import services
from .models import SLA, Holiday, HolidayList

ONE_DEFAULT_PER_DEPARTMENT = _("A department has one default SLA: choose one SLA per department.")


@admin.register(SLA)
class SLAAdmin(ServiceAdmin, SimpleHistoryAdmin):
    """SLAs are read here, activated, deactivated and deleted through the services; their targets,
    business hours and escalation levels are edited on the SLA's settings page ("View on site"),
    whose form checks them together."""

    list_display = ["name", "department", "business_hours", "time_zone", "is_active", "is_default"]
    list_filter = ["is_active", "is_default", "department", "business_hours"]
    list_select_related = ["department"]
    search_fields = ["name"]
    actions = ["activate", "deactivate", "make_default", "unset_default"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def remove(self, request, obj):
        services.sla_delete(by=request.user, sla=obj)

    @admin.action(description=_("Activate the chosen SLAs"), permissions=["view"])
    def activate(self, request, queryset):
        for sla in queryset.order_by("pk"):
            services.sla_set_active(by=request.user, sla=sla, active=True)

    @admin.action(description=_("Deactivate the chosen SLAs"), permissions=["view"])
    def deactivate(self, request, queryset):
        for sla in queryset.order_by("pk"):
            services.sla_set_active(by=request.user, sla=sla, active=False)

    @admin.action(
        description=_("Make the chosen SLA its department's default"), permissions=["view"]
    )
    def make_default(self, request, queryset):
        slas = list(queryset.order_by("pk"))
        if len({sla.department_id for sla in slas}) < len(slas):
            raise ValidationError(ONE_DEFAULT_PER_DEPARTMENT)
        for sla in slas:
            services.sla_set_default(by=request.user, sla=sla, is_default=True)

    @admin.action(
        description=_("Make the chosen SLAs no longer their department's default"),
        permissions=["view"],
    )
    def unset_default(self, request, queryset):
        for sla in queryset.order_by("pk"):
            services.sla_set_default(by=request.user, sla=sla, is_default=False)


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(HolidayList)
class HolidayListAdmin(ServiceAdmin):
    """Holiday lists are read here and deleted through the service (refused while an SLA uses
    the list); they are added and edited on their settings page ("View on site"), whose service
    checks the days together and records the change on every SLA that uses the list."""

    list_display = ["name"]
    search_fields = ["name"]
    inlines = [HolidayInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def view_on_site(self, obj):
        return reverse("sla:holiday_list_detail", args=[obj.pk])

    def remove(self, request, obj):
        services.holiday_list_delete(by=request.user, holiday_list=obj)
