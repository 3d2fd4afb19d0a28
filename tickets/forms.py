from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from customers.models import Account, Contact
from desk.choices import Priority, Status
from desk.forms import read_choices
from desk.selectors import department_list

from . import services
from .services import CONTACT_OTHER_ACCOUNT


class TicketCreateForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.all())
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.all(), required=False
    )
    priority = forms.ChoiceField(
        label=_("Priority"), choices=Priority.choices, initial=Priority.MEDIUM
    )
    department = forms.ModelChoiceField(label=_("Department"), queryset=None)
    product_name = forms.CharField(label=_("Product name"), max_length=200, required=False)
    contract = forms.ModelChoiceField(
        label=_("Contract"),
        queryset=None,
        required=False,
        help_text=_(
            "Leave empty to use the account's active contract for this product "
            "(or its only active contract)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = department_list(user)
        self.fields["department"].queryset = departments
        if departments.count() == 1:
            self.fields["department"].initial = departments.first()
        self.fields["contract"].queryset = (
            Contract.objects.visible_to(user)
            .active_on(timezone.localdate())
            .select_related("account")
            .order_by("account__name", "contract_number")
        )
        self.fields["contract"].label_from_instance = lambda c: f"{c.account} · {c}"
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Create ticket")))

    def clean(self):
        cleaned = super().clean()
        account, contact = cleaned.get("account"), cleaned.get("contact")
        if account and contact and contact.account_id != account.pk:
            self.add_error("contact", CONTACT_OTHER_ACCOUNT)
        return cleaned


class TicketUpdateForm(forms.Form):
    """The ticket page's form: its status, its priority and who has it."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, required=False)
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Unassigned")
    )

    def __init__(self, *args, ticket, **kwargs):
        kwargs.setdefault(
            "initial",
            {"status": ticket.status, "priority": ticket.priority, "assignee": ticket.assignee_id},
        )
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # The page posts back what it showed, so that ``changes()`` leaves alone what
            # someone else changed since.
            field.show_hidden_initial = True
        self.fields["assignee"].queryset = services.assignable_users(ticket.department)
        self.fields["assignee"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )
        read_choices(self.fields["assignee"])

    def changes(self) -> dict:
        """What the agent changed, for ``ticket_update``: a field left as the page showed it
        (its ``initial-`` input) keeps whatever someone else saved meanwhile; an empty priority
        changes nothing."""
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        if not changes.get("priority", True):
            del changes["priority"]
        return changes
