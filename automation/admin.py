"""Workflow rules, email templates, tasks, and what the rules did, in the back office.

Rules, templates and tasks are written through ``automation.services`` (``desk.admin.
ServiceAdmin``): the same checks as the pages, each refusal on the form. A rule's criteria are
edited here as JSON (a list of ``{"field", "operator", "value"}``), checked by the same service.
Firings and webhook deliveries, with every attempt, are read only.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from desk.admin import ServiceAdmin
from desk.people import person_name
from desk.selectors import department_list

from . import services
from .log import firings_in_words
from .models import EmailTemplate, Firing, Rule, Task, WebhookAttempt, WebhookDelivery

CRITERIA_SHAPE = _(
    'Enter a list of conditions, each as {"field": …, "operator": …, "value": …}, or [] for none.'
)
TRIGGER_FIELDS_SHAPE = _('Enter a list of field names, such as ["status", "priority"].')


def _people(user):
    """The active members of the user's departments: whom a rule or a task may name (the
    service checks the record's department)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, departments__in=department_list(user))
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


class _ScopedChoicesMixin:
    """Drop-downs that offer only the user's departments, their people and their templates."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "department":
            kwargs["queryset"] = department_list(request.user).order_by("name")
        elif db_field.related_model is get_user_model():
            kwargs["queryset"] = _people(request.user)
        elif db_field.name == "alert_template":
            kwargs["queryset"] = EmailTemplate.objects.visible_to(request.user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if field is not None and db_field.related_model is get_user_model():
            field.label_from_instance = person_name
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.related_model is get_user_model():
            kwargs["queryset"] = _people(request.user)
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        if field is not None:
            field.label_from_instance = person_name
        return field


# --- rules ----------------------------------------------------------------------------------


RULE_FIELDSETS = [
    (None, {"fields": ["department", "module", "kind", "name", "description", "is_active"]}),
    (_("When"), {"fields": ["trigger", "trigger_fields", "once_per_cycle"]}),
    (
        _("Time condition (time-based rules)"),
        {"fields": ["time_field", "time_operator", "time_hours", "business_hours"]},
    ),
    (_("If"), {"fields": ["criteria", "join", "pattern"]}),
    (_("Field updates"), {"fields": ["set_status", "set_priority", "set_assignee"]}),
    (
        _("Alert"),
        {
            "fields": [
                "alert_template",
                "alert_assignee",
                "alert_contract_owner",
                "alert_contact",
                "alert_users",
                "alert_addresses",
            ]
        },
    ),
    (
        _("Task"),
        {
            "fields": [
                "task_subject",
                "task_description",
                "task_assignee",
                "task_priority",
                "task_due_in",
                "task_due_unit",
            ]
        },
    ),
    (_("Webhook"), {"fields": ["webhook_url"]}),
    (_("Record"), {"fields": ["owner", "position", "created_at", "updated_at"]}),
]
# Fixed once the rule is made: where it belongs and what kind it is.
RULE_FIXED = ["department", "module", "kind"]
RULE_RECORD = ["owner", "position", "created_at", "updated_at"]


def _rule_formfield(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class RuleAdminForm(forms.ModelForm):
    """The JSON fields' shape is checked here; what they say, by the service."""

    class Meta:
        model = Rule
        fields = [name for _title, options in RULE_FIELDSETS[:-1] for name in options["fields"]]
        formfield_callback = _rule_formfield

    def clean_criteria(self):
        rows = self.cleaned_data.get("criteria")
        if rows in (None, ""):
            return []
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise forms.ValidationError(CRITERIA_SHAPE)
        return rows

    def clean_trigger_fields(self):
        names = self.cleaned_data.get("trigger_fields")
        if names in (None, ""):
            return []
        if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
            raise forms.ValidationError(TRIGGER_FIELDS_SHAPE)
        return names


@admin.register(Rule)
class RuleAdmin(_ScopedChoicesMixin, ServiceAdmin):
    form = RuleAdminForm
    fieldsets = RULE_FIELDSETS
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["name", "department", "module", "kind", "trigger", "is_active", "position"]
    list_filter = ["kind", "module", "is_active", "trigger", "department"]
    list_select_related = ["department"]
    search_fields = ["name", "description"]
    ordering = ["department__name", "module", "kind", "position", "pk"]
    filter_horizontal = ["alert_users"]
    actions = ["activate", "deactivate"]

    def get_readonly_fields(self, request, obj=None):
        return RULE_RECORD if obj is None else [*RULE_FIXED, *RULE_RECORD]

    def get_fieldsets(self, request, obj=None):
        if obj is None:  # nothing recorded yet
            return RULE_FIELDSETS[:-1]
        return RULE_FIELDSETS

    def create(self, request, form):
        data = form.cleaned_data
        fields = {name: data[name] for name in services.RULE_FIELDS if name in data}
        return services.rule_create(
            by=request.user,
            department=data["department"],
            module=data["module"],
            kind=data["kind"],
            is_active=data["is_active"],
            **fields,
        )

    def update(self, request, obj, form):
        data, changed = form.cleaned_data, set(form.changed_data)
        rule = obj
        fields = {name: data[name] for name in services.RULE_FIELDS if name in changed}
        if fields:
            rule = services.rule_update(by=request.user, rule=rule, **fields)
        if "is_active" in changed:
            rule = services.rule_set_active(by=request.user, rule=rule, is_active=data["is_active"])
        return rule

    def remove(self, request, obj):
        services.rule_delete(by=request.user, rule=obj)

    @admin.action(description=_("Activate the chosen rules"), permissions=["change"])
    def activate(self, request, queryset):
        for rule in queryset.order_by("pk"):
            services.rule_set_active(by=request.user, rule=rule, is_active=True)

    @admin.action(description=_("Deactivate the chosen rules"), permissions=["change"])
    def deactivate(self, request, queryset):
        for rule in queryset.order_by("pk"):
            services.rule_set_active(by=request.user, rule=rule, is_active=False)


# --- email templates ------------------------------------------------------------------------


@admin.register(EmailTemplate)
class EmailTemplateAdmin(_ScopedChoicesMixin, ServiceAdmin):
    fields = ["department", "module", "name", "subject", "body"]
    list_display = ["name", "department", "module", "subject"]
    list_filter = ["module", "department"]
    list_select_related = ["department"]
    search_fields = ["name", "subject"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["department", "module"]

    def create(self, request, form):
        data = form.cleaned_data
        return services.template_create(
            by=request.user,
            department=data["department"],
            module=data["module"],
            name=data["name"],
            subject=data["subject"],
            body=data["body"],
        )

    def update(self, request, obj, form):
        changed = set(form.changed_data) & set(services.TEMPLATE_FIELDS)
        if not changed:
            return obj
        fields = {name: form.cleaned_data[name] for name in changed}
        return services.template_update(by=request.user, template=obj, **fields)

    def remove(self, request, obj):
        services.template_delete(by=request.user, template=obj)


# --- tasks ----------------------------------------------------------------------------------


TASK_ADD_FIELDS = [
    "department",
    "subject",
    "description",
    "ticket",
    "contract",
    "assignee",
    "priority",
    "due_at",
]
TASK_SHOWN = [
    "subject",
    "description",
    "department",
    "ticket",
    "contract",
    "assignee",
    "priority",
    "due_at",
    "done_at",
    "done_by",
    "created_by",
    "created_at",
    "rule_name",
]


class TaskAdminForm(forms.ModelForm):
    # A task's one change after it is made: done, or open again.
    is_done = forms.BooleanField(label=_("Done"), required=False)

    class Meta:
        model = Task
        fields = TASK_ADD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "is_done" in self.fields:
            self.fields["is_done"].initial = self.instance.done_at is not None


@admin.register(Task)
class TaskAdmin(_ScopedChoicesMixin, ServiceAdmin):
    """Tasks are made here (for a department, a ticket or a contract), and marked done or open
    again; their other fields are the rule's or the maker's, fixed once made. No service deletes
    a task, so neither does the back office."""

    form = TaskAdminForm
    list_display = [
        "subject",
        "department",
        "ticket",
        "contract",
        "assignee",
        "priority",
        "due_at",
        "done",
        "rule_name",
    ]
    list_filter = [("done_at", admin.EmptyFieldListFilter), "priority", "department"]
    list_select_related = ["department", "ticket", "contract", "assignee"]
    search_fields = ["subject", "rule_name"]
    raw_id_fields = ["ticket", "contract"]
    date_hierarchy = None
    actions = ["complete", "reopen"]

    @admin.display(description=_("Done"), boolean=True)
    def done(self, task):
        return task.done_at is not None

    def get_fields(self, request, obj=None):
        return TASK_ADD_FIELDS if obj is None else ["is_done", *TASK_SHOWN]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else TASK_SHOWN

    def has_delete_permission(self, request, obj=None):
        return False

    def create(self, request, form):
        data = form.cleaned_data
        return services.task_create(
            by=request.user,
            subject=data["subject"],
            description=data["description"],
            due_at=data["due_at"],
            department=data["department"],
            ticket=data["ticket"],
            contract=data["contract"],
            assignee=data["assignee"],
            priority=data["priority"],
        )

    def update(self, request, obj, form):
        if "is_done" not in form.changed_data:
            return obj
        if form.cleaned_data["is_done"]:
            return services.task_complete(by=request.user, task=obj)
        return services.task_reopen(by=request.user, task=obj)

    @admin.action(description=_("Mark the chosen tasks done"), permissions=["change"])
    def complete(self, request, queryset):
        for task in queryset.order_by("pk"):
            services.task_complete(by=request.user, task=task)

    @admin.action(description=_("Reopen the chosen tasks"), permissions=["change"])
    def reopen(self, request, queryset):
        for task in queryset.order_by("pk"):
            services.task_reopen(by=request.user, task=task)


# --- what the rules did (read only) ----------------------------------------------------------


class _ReadOnly:
    """What the rules did is a record: nobody adds, changes or deletes it by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _ReadOnlyAdmin(_ReadOnly, admin.ModelAdmin):
    pass


@admin.register(Firing)
class FiringAdmin(_ReadOnlyAdmin):
    list_display = ["fired_at", "rule", "record", "trigger", "outcome", "depth"]
    list_filter = ["outcome", "trigger", "rule__department"]
    list_select_related = ["rule", "ticket", "contract"]
    search_fields = ["rule__name"]
    fields = ["rule", "ticket", "contract", "trigger", "fired_at", "depth", "outcome", "done"]
    readonly_fields = fields

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(rule__department__in=department_list(request.user))
        )

    @admin.display(description=_("Record"))
    def record(self, firing):
        return firing.record

    @admin.display(description=_("What it did"))
    def done(self, firing):
        (row,) = firings_in_words([firing])
        return format_html_join(
            "\n", "<div>{} {}</div>", (("✓" if a["ok"] else "✗", a["text"]) for a in row["actions"])
        ) or format_html("{}", "—")


class WebhookAttemptInline(_ReadOnly, admin.TabularInline):
    model = WebhookAttempt
    fields = ["at", "status_code", "error", "duration_ms"]
    readonly_fields = fields
    extra = 0


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(_ReadOnlyAdmin):
    list_display = ["created_at", "url", "rule", "attempts", "delivered_at", "gave_up_at"]
    list_filter = [
        ("delivered_at", admin.EmptyFieldListFilter),
        ("gave_up_at", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["firing__rule"]
    search_fields = ["url"]
    fields = ["firing", "url", "body", "created_at", "attempts", "delivered_at", "gave_up_at"]
    readonly_fields = fields
    inlines = [WebhookAttemptInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(firing__rule__department__in=department_list(request.user))
        )

    @admin.display(description=_("Rule"))
    def rule(self, delivery):
        return delivery.firing.rule
