from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import Contract, CreditEntry


class ContractAdminForm(forms.ModelForm):
    """The back office obeys the same rules as the pages: an active plan, no same-SLA overlap."""

    class Meta:
        model = Contract
        fields = services.FORM_FIELDS

    def _post_clean(self):
        super()._post_clean()
        plan_changed = self.instance.pk is None or "support_plan" in self.changed_data
        found = services.contract_rule_errors(
            self.instance, plan_changed=plan_changed, errors={name: [] for name in self.errors}
        )
        for name, errors in found.items():
            for error in errors:
                self.add_error(name if name in self.fields else None, error)


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
    form = ContractAdminForm
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
