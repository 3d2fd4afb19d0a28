from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import EscalationFiring, Ticket


@admin.register(Ticket)
class TicketAdmin(SimpleHistoryAdmin):
    list_display = [
        "number",
        "subject",
        "account",
        "department",
        "priority",
        "status",
        "assignee",
        "contract",
        "sla",
        "created_at",
    ]
    list_filter = ["status", "priority", "department", "sla"]
    list_select_related = ["account", "department", "assignee", "contract", "sla"]
    search_fields = ["subject", "account__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["account", "contract"]
    raw_id_fields = ["contact"]
    readonly_fields = ["resolved_at", "created_at", "updated_at"]

    @admin.display(description="#", ordering="pk")
    def number(self, ticket):
        return ticket.pk

    def save_model(self, request, obj, form, change):
        """Status and priority changes go through the same services as the ticket page."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        status, priority = obj.status, obj.priority
        obj.status, obj.priority = form.initial["status"], form.initial["priority"]
        super().save_model(request, obj, form, change)
        ticket = services.ticket_change_status(ticket=obj, status=status)
        services.ticket_change_priority(ticket=ticket, priority=priority)


@admin.register(EscalationFiring)
class EscalationFiringAdmin(admin.ModelAdmin):
    list_display = ["ticket", "level", "due_at", "fired_at"]
    list_select_related = ["ticket", "level"]
    search_fields = ["ticket__subject"]

    def has_change_permission(self, request, obj=None):
        return False
