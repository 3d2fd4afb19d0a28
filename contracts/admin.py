from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Contract, CreditEntry


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
class ContractAdmin(SimpleHistoryAdmin):
    list_display = [
        "contract_number",
        "name",
        "account",
        "support_plan",
        "start_date",
        "end_date",
        "owner",
    ]
    list_filter = ["support_plan", "support_plan__sla", "support_plan__department"]
    list_select_related = ["account", "support_plan", "owner"]
    search_fields = ["contract_number", "name", "account__name", "product_name"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["account"]
    filter_horizontal = ["notify_users"]
    inlines = [CreditEntryInline]


@admin.register(CreditEntry)
class CreditEntryAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
