from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from desk.admin import ServiceAdmin
from desk.changelists import DateHierarchyInRange

from . import services
from .models import EscalationFiring, Reply, Ticket

# What the back office enters on a new ticket (the rest is decided by ``ticket_create``), and
# what it may change on a ticket (through ``ticket_update``).
ADD_FIELDS = [
    "subject",
    "description",
    "account",
    "contact",
    "department",
    "priority",
    "product_name",
    "contract",
]
CHANGE_FIELDS = [
    "subject",
    "description",
    "contact",
    "product_name",
    "priority",
    "status",
    "assignee",
    "contract",
]
DECIDED_FIELDS = [
    "account",
    "department",
    "sla",
    "sla_exemption",
    "response_due_at",
    "resolution_due_at",
    "first_responded_at",
    "on_hold_since",
    "resolved_at",
    "created_by",
    "created_at",
    "updated_at",
]


class ReplyInline(admin.TabularInline):
    """The ticket's conversation, read-only: a reply is written through
    ``tickets.conversation.reply_add`` (its rules, history and emails), and is never changed or
    deleted afterwards, here or anywhere."""

    model = Reply
    fields = ["created_at", "author", "from_customer", "is_public", "body"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_view_permission(self, request, obj=None):
        # Whoever sees the ticket sees its conversation (replies have no permissions of their
        # own in the ready groups).
        return request.user.has_perm("tickets.view_ticket")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(DateHierarchyInRange, ServiceAdmin, SimpleHistoryAdmin):
    inlines = [ReplyInline]
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
    raw_id_fields = ["contact", "assignee"]

    @admin.display(description="#", ordering="pk")
    def number(self, ticket):
        return ticket.pk

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a new ticket has no conversation

    def get_fields(self, request, obj=None):
        return ADD_FIELDS if obj is None else CHANGE_FIELDS + DECIDED_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else DECIDED_FIELDS

    def create(self, request, form):
        data = {name: form.cleaned_data[name] for name in ADD_FIELDS}
        return services.ticket_create(by=request.user, **data)

    def update(self, request, obj, form):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        return services.ticket_update(by=request.user, ticket=obj, **changes)

    def remove(self, request, obj):
        services.ticket_delete(by=request.user, ticket=obj)

    def deletable(self, obj):
        return not services.has_ledger_entries(obj)  # closed, never deleted


@admin.register(EscalationFiring)
class EscalationFiringAdmin(admin.ModelAdmin):
    list_display = ["ticket", "level", "due_at", "fired_at"]
    list_select_related = ["ticket", "level"]
    search_fields = ["ticket__subject"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
