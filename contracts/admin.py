from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from desk.admin import ServiceAdmin
from desk.changelists import DateHierarchyInRange

from . import services
from .models import Contract, ContractUsageDay, CreditEntry, CycleBalance, PlanUsageDay


class CreditEntryInline(admin.TabularInline):
    model = CreditEntry
    fk_name = "contract"
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "kind",
        "delta",
        "ticket",
        "cycle_start",
        "cycle_end",
        "created_by",
        "reason",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(DateHierarchyInRange, ServiceAdmin, SimpleHistoryAdmin):
    fields = services.FORM_FIELDS
    list_display = [
        "contract_number",
        "name",
        "account",
        "support_plan",
        "start_date",
        "end_date_display",
        "owner",
    ]
    list_filter = ["support_plan", "support_plan__sla", "support_plan__department"]
    list_select_related = ["account", "support_plan", "owner"]
    search_fields = ["contract_number", "name", "account__name", "product_name"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["account"]
    filter_horizontal = ["notify_users"]
    inlines = [CreditEntryInline]

    @admin.display(description=_("end date"), ordering="end_date", empty_value=_("No end date"))
    def end_date_display(self, obj):
        return obj.end_date

    def create(self, request, form):
        data = {name: form.cleaned_data[name] for name in services.FORM_FIELDS}
        return services.contract_create(by=request.user, **data)

    def update(self, request, obj, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        return services.contract_update(by=request.user, contract=obj, **changes)

    def remove(self, request, obj):
        services.contract_delete(by=request.user, contract=obj)

    def deletable(self, obj):
        return not services.has_history(obj)  # ended, never deleted


class ReadOnlyAdmin(DateHierarchyInRange, admin.ModelAdmin):
    """Rows the application alone writes: the back office reads them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditEntry)
class CreditEntryAdmin(ReadOnlyAdmin):
    """The ledger is append-only: the back office reads it; adjustments go through the app."""

    list_display = [
        "created_at",
        "contract",
        "kind",
        "delta",
        "ticket",
        "cycle_start",
        "created_by",
        "reason",
    ]
    list_filter = ["kind"]
    list_select_related = ["contract", "ticket", "created_by"]
    search_fields = ["contract__contract_number", "reason"]
    date_hierarchy = "created_at"


class UsageDayAdmin(ReadOnlyAdmin):
    """The usage kept by day is the ledger's roll-up: read here, rebuilt by ``rebuild_usage``."""

    date_hierarchy = "day"


@admin.register(ContractUsageDay)
class ContractUsageDayAdmin(UsageDayAdmin):
    list_display = ["day", "contract", "used"]
    list_select_related = ["contract"]
    search_fields = ["contract__contract_number"]


@admin.register(PlanUsageDay)
class PlanUsageDayAdmin(UsageDayAdmin):
    list_display = ["day", "plan", "stripe", "used"]
    list_select_related = ["plan"]


@admin.register(CycleBalance)
class CycleBalanceAdmin(ReadOnlyAdmin):
    """Each contract's balance in its newest cycle, the ledger's roll-up: read here, rebuilt by
    ``rebuild_usage``."""

    list_display = ["contract", "cycle_start", "cycle_end", "balance", "used_up_until"]
    list_select_related = ["contract"]
    list_filter = [("used_up_until", admin.EmptyFieldListFilter)]
    search_fields = ["contract__contract_number"]
