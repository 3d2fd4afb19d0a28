"""The back office's door onto the services, and the desk's own models in the admin."""

from django.contrib import admin, messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy, gettext_noop

from .changelists import DateHierarchyInRange
from .models import Department, OutgoingEmail, Preferences


class Refused(Exception):
    """A service refused a back-office write: the admin rolls back and shows why."""

    def __init__(self, error: ValidationError | PermissionDenied):
        super().__init__(error)
        self.error = error

    def messages_by_field(self) -> dict[str, list[str]]:
        error = self.error
        if isinstance(error, PermissionDenied):
            return {NON_FIELD_ERRORS: [str(error) or "403"]}
        if hasattr(error, "error_dict"):
            return error.message_dict
        return {NON_FIELD_ERRORS: error.messages}


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes go through the services, like every other door.

    - ``create(request, form)`` and ``update(request, obj, form)`` call the model's services with
      the signed-in user and return the saved record; ``remove(request, obj)`` deletes through
      them. The form's model validation is left to the services, which run it under their locks.
    - A save changes only the fields the form changed since it was *opened*: each field carries
      its opening value in a hidden input (``show_hidden_initial``), so a field nobody touched
      never overwrites what someone else saved meanwhile.
    - A refusal (``ValidationError``, ``PermissionDenied``) rolls the whole request back and
      shows the form again with each message on its field; never a 500, never half a save.
    - Lists and forms show only the records of the user's departments (``visible_to``).
    """

    def create(self, request, form):
        raise NotImplementedError

    def update(self, request, obj, form):
        raise NotImplementedError

    def remove(self, request, obj) -> None:
        raise NotImplementedError

    def deletable(self, obj) -> bool:
        """Whether ``obj`` may be deleted at all (its history may forbid it)."""
        return True

    # -- the door ---------------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if hasattr(queryset, "visible_to"):
            queryset = queryset.visible_to(request.user)
        return queryset

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)

        class ServiceForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for field in self.fields.values():
                    field.show_hidden_initial = True

            def _post_clean(self):
                # The model's rules run in the service, under its locks. On the second pass of a
                # refused save, the service's messages are shown on their fields.
                if refusal is None:
                    return
                for name, field_messages in refusal.messages_by_field().items():
                    field = name if name in self.fields else None
                    for message in field_messages:
                        self.add_error(field, message)

        return ServiceForm

    def save_model(self, request, obj, form, change):
        try:
            saved = self.update(request, obj, form) if change else self.create(request, form)
        except (ValidationError, PermissionDenied) as error:
            raise Refused(error) from error
        # The admin goes on with ``obj`` (its log entry, its redirect): make it the saved record.
        obj.__dict__.update(saved.__dict__)

    def save_related(self, request, form, formsets, change):
        # The services set the record's many-to-many fields themselves; inlines still save.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        # A record its history keeps (a contract with tickets, a ticket the ledger names): no
        # Delete button, and a posted delete answers 403.
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.deletable(obj))

    def delete_model(self, request, obj):
        try:
            self.remove(request, obj)
        except (ValidationError, PermissionDenied) as error:
            raise Refused(error) from error

    def delete_queryset(self, request, queryset):
        for obj in queryset.order_by("pk"):
            self.delete_model(request, obj)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refused:
            # Again, from the posted data, with the refusal on the form (nothing was saved).
            request._service_refusal = refused
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            with transaction.atomic():
                return super().delete_view(request, object_id, extra_context)
        except Refused as refused:
            self._report(request, refused)
            return HttpResponseRedirect(request.path.removesuffix("delete/"))

    def changelist_view(self, request, extra_context=None):
        try:
            with transaction.atomic():  # an action on several records: all of them, or none
                return super().changelist_view(request, extra_context)
        except (ValidationError, PermissionDenied) as error:  # from an action
            self._report(request, Refused(error))
            return HttpResponseRedirect(request.get_full_path())
        except Refused as refused:
            self._report(request, refused)
            return HttpResponseRedirect(request.get_full_path())

    def _report(self, request, refused: Refused) -> None:
        for field_messages in refused.messages_by_field().values():
            for message in field_messages:
                self.message_user(request, message, messages.ERROR)


# Headings of Django's own admin templates that Django's zh_Hans catalogue does not translate
# yet; listed here so that our catalogue, searched first (LOCALE_PATHS), translates them.
DJANGO_ADMIN_STRINGS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # The back office's index names the models of django-axes and django-tasks-db, which ship
    # no Simplified Chinese (their apps are named in config/apps.py).
    gettext_noop("access attempts"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access failures"),
    gettext_noop("access logs"),
    gettext_noop("Task Results"),
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "contracts_enabled"]
    list_filter = ["contracts_enabled"]
    list_editable = ["contracts_enabled"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "time_zone"]
    list_filter = ["language"]
    list_select_related = ["user"]
    search_fields = ["user__username", "time_zone"]


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(DateHierarchyInRange, admin.ModelAdmin):
    """The outbox: what was sent, what waits for the mail server, and why."""

    list_display = ["created_at", "to", "subject", "attempts", "sent_at"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    readonly_fields = ["to", "subject", "body", "created_at", "attempts", "last_error", "sent_at"]
    actions = ["send_again"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=gettext_lazy("Try the chosen unsent emails again now"))
    def send_again(self, request, queryset):
        from .tasks import deliver_emails

        unsent = list(queryset.filter(sent_at__isnull=True).values_list("pk", flat=True))
        if unsent:
            deliver_emails.enqueue(unsent)
