from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import EscalationFiring, Ticket


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    list_display = [
        "pk",
        "subject",
        "account",
        "department",
        "priority",
        "status",
        "contract",
        "sla",
        "created_at",
    ]
    list_filter = ["status", "priority", "department", "sla"]
    list_select_related = ["account", "department", "contract", "sla"]
    search_fields = ["subject", "account__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["account", "contract"]
    raw_id_fields = ["contact"]
    readonly_fields = ["resolved_at", "created_at", "updated_at"]


@admin.register(EscalationFiring)
class EscalationFiringAdmin(admin.ModelAdmin):
    list_display = ["ticket", "level", "due_at", "fired_at"]
    list_select_related = ["ticket", "level"]
    search_fields = ["ticket__subject"]

    def has_change_permission(self, request, obj=None):
        return False
