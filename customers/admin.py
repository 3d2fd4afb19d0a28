"""Accounts and contacts in the back office.

A contact's help-centre user is never edited here: it is shown, and the actions *Invite* and
*Revoke* go through ``customers.services`` like the account page's buttons. Deleting a contact (or
an account, with its contacts) deactivates its help-centre user first, through the same services,
so that no user outlives its contact's access. An edit saves only the fields the form changed: a
contact invited or revoked while the form was open keeps its user and its access.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Account, Contact
from .selectors import HelpCentreAccess, contact_access, contacts_with_access

# The contact's own fields, which the admin's forms may save (never its user or invitation).
CONTACT_FIELDS = ("account", "first_name", "last_name", "email", "phone")


def help_centre_access(contact: Contact) -> str:
    access = contact_access(contact)
    if access == HelpCentreAccess.INVITED and contact.invited_at:
        return _("Invited on %(date)s") % {"date": formats.date_format(contact.invited_at)}
    return str(access.label)


def save_changed_fields(contact: Contact, changed: list[str]) -> None:
    fields = [name for name in changed if name in CONTACT_FIELDS]
    if fields:
        contact.save(update_fields=fields)


class ContactFormSet(BaseInlineFormSet):
    """The account's contacts: an edit saves only what changed (never the user or invitation)."""

    def save_existing(self, form, obj, commit=True):
        obj = form.save(commit=False)
        if commit:
            save_changed_fields(obj, form.changed_data)
        return obj


class ContactInline(admin.TabularInline):
    model = Contact
    formset = ContactFormSet
    extra = 0
    fields = [*CONTACT_FIELDS[1:], "help_centre"]
    readonly_fields = ["help_centre"]
    show_change_link = True  # invitations and the account administrator: on the contact's page

    def get_queryset(self, request):
        return contacts_with_access(super().get_queryset(request))

    @admin.display(description=_("Help centre access"))
    def help_centre(self, contact):
        return help_centre_access(contact) if contact.pk else "-"


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "website", "created_at"]
    search_fields = ["name", "contacts__email", "contacts__last_name"]
    inlines = [ContactInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Contact:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for contact in formset.deleted_objects:
            services.contact_delete(by=request.user, contact=contact)
        for contact in formset.new_objects:
            contact.save()
        for contact, changed in formset.changed_objects:
            save_changed_fields(contact, changed)
        return None

    def delete_model(self, request, obj):
        # Its contacts first, each through the service that deactivates its help-centre user.
        for contact in obj.contacts.order_by("pk"):
            services.contact_delete(by=request.user, contact=contact)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for account in queryset.order_by("pk"):
            self.delete_model(request, account)


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "account", "email", "phone", "help_centre", "is_account_admin"]
    list_select_related = ["account", "user"]
    list_filter = ["is_account_admin"]
    search_fields = ["first_name", "last_name", "email", "account__name"]
    autocomplete_fields = ["account"]
    fields = [
        *CONTACT_FIELDS,
        "is_account_admin",
        "help_centre",
        "user",
        "invited_at",
    ]
    readonly_fields = ["help_centre", "user", "invited_at"]
    actions = ["invite", "revoke"]

    def get_queryset(self, request):
        return contacts_with_access(super().get_queryset(request))

    @admin.display(description=_("Help centre access"), ordering="help_centre_access")
    def help_centre(self, contact):
        return help_centre_access(contact) if contact.pk else "-"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.save()  # a new contact: nobody invited it yet
            return
        save_changed_fields(obj, form.changed_data)
        if "is_account_admin" in form.changed_data:
            services.contact_set_account_admin(
                by=request.user, contact=obj, is_account_admin=form.cleaned_data["is_account_admin"]
            )

    def delete_model(self, request, obj):
        services.contact_delete(by=request.user, contact=obj)

    def delete_queryset(self, request, queryset):
        for contact in queryset.order_by("pk"):
            services.contact_delete(by=request.user, contact=contact)

    @admin.action(
        description=_("Invite the chosen contacts to the help centre (again)"),
        permissions=["change"],
    )
    def invite(self, request, queryset):
        self._each(request, queryset, services.contact_invite, _invited)

    @admin.action(
        description=_("Revoke the chosen contacts' access to the help centre"),
        permissions=["change"],
    )
    def revoke(self, request, queryset):
        self._each(request, queryset, services.contact_revoke, _revoked)

    def _each(self, request, queryset, service, done_message) -> None:
        """``service`` for each contact, each on its own: a refused one is reported by name and
        the others go ahead."""
        done = 0
        for contact in queryset.order_by("pk"):
            try:
                service(by=request.user, contact=contact)
            except ValidationError as error:
                for text in error.messages:
                    self.message_user(request, f"{contact}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done), messages.SUCCESS)


def _invited(count: int) -> str:
    return ngettext(
        "%(count)d contact was invited: each gets an email with a link to choose a password.",
        "%(count)d contacts were invited: each gets an email with a link to choose a password.",
        count,
    ) % {"count": count}


def _revoked(count: int) -> str:
    return ngettext(
        "%(count)d contact can no longer sign in to the help centre.",
        "%(count)d contacts can no longer sign in to the help centre.",
        count,
    ) % {"count": count}
