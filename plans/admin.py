from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from desk.admin import ServiceAdmin

from . import services
from .models import SupportPlan

TERMS = ("name", "plan_type", "credit_cycle", "credit_limit", "sla")


@admin.register(SupportPlan)
class SupportPlanAdmin(ServiceAdmin, SimpleHistoryAdmin):
    list_display = ["name", "department", "plan_type", "credit_terms", "sla", "is_active"]
    list_filter = ["plan_type", "credit_cycle", "is_active", "department", "sla"]
    list_select_related = ["department", "sla"]
    search_fields = ["name"]
    fields = ["department", *TERMS, "is_active"]
    actions = ["activate", "deactivate"]

    @admin.display(description=_("Terms"))
    def credit_terms(self, plan):
        return plan.terms

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["department"]  # a plan stays in its department

    def create(self, request, form):
        data = form.cleaned_data
        plan = services.plan_create(
            by=request.user, department=data["department"], **{n: data[n] for n in TERMS}
        )
        if not data["is_active"]:
            plan = services.plan_set_active(by=request.user, plan=plan, is_active=False)
        return plan

    def update(self, request, obj, form):
        data, changed = form.cleaned_data, set(form.changed_data)
        plan = obj
        if changed & set(TERMS):
            terms = {n: data[n] for n in TERMS if n in changed}
            plan = services.plan_update(by=request.user, plan=obj, **terms)
        if "is_active" in changed:
            plan = services.plan_set_active(by=request.user, plan=obj, is_active=data["is_active"])
        return plan

    def remove(self, request, obj):
        services.plan_delete(by=request.user, plan=obj)

    @admin.action(description=_("Activate the chosen plans"))
    def activate(self, request, queryset):
        for plan in queryset.order_by("pk"):
            services.plan_set_active(by=request.user, plan=plan, is_active=True)

    @admin.action(description=_("Deactivate the chosen plans"))
    def deactivate(self, request, queryset):
        for plan in queryset.order_by("pk"):
            services.plan_set_active(by=request.user, plan=plan, is_active=False)
