from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts import credits
from contracts.models import Contract
from customers.models import Contact
from customers.selectors import accounts_typed
from desk.choices import Priority, Status
from desk.forms import ChosenAmongRead, read_choices
from desk.selectors import department_list

from . import services
from .selectors import CONTRACT_LABEL_FIELDS, contract_label, department_chosen
from .services import CONTACT_OTHER_ACCOUNT, CONTRACT_HOLDS_CREDIT, CONTRACT_NOT_OFFERED

ACCOUNT_UNKNOWN = _("No account has this name or id: choose one of the suggested accounts.")
ACCOUNT_AMBIGUOUS = _(
    "Several accounts have this name: choose one of the suggested accounts, or type its id."
)
CONTRACT_CHOOSE_ONE = _(
    "This account has several active contracts: choose the one this ticket follows."
)


class AccountPicker(forms.TextInput):
    """The account as text: ``static/js/ticket_form.js`` suggests accounts as one types and posts
    the chosen one's id; without script, one types an account's id or exact name."""

    account = None  # the account the form resolved, shown by its name

    def get_context(self, name, value, attrs):
        if self.account is not None:
            value = self.account.name
            attrs = {**(attrs or {}), "data-account-id": self.account.pk}
        return super().get_context(name, value, attrs)


class TicketCreateForm(forms.Form):
    """A new ticket. The contact and contract lists hold the chosen account's entries only (the
    page's script fills them as the account and department are chosen); an account is never
    listed whole, there may be thousands."""

    subject = forms.CharField(label=_("Subject"), max_length=255)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    account = forms.CharField(
        label=_("Account"),
        max_length=200,
        help_text=_("Type part of the account's name and choose it, or type its id."),
        widget=AccountPicker(
            attrs={
                "autocomplete": "off",
                "data-account-picker": "",
                "data-suggestions-url": reverse_lazy("tickets:ticket_create_accounts"),
                "data-choices-url": reverse_lazy("tickets:ticket_create_choices"),
            }
        ),
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=Contact.objects.none(),
        required=False,
        error_messages={"invalid_choice": CONTACT_OTHER_ACCOUNT},
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
        error_messages={"invalid_choice": CONTRACT_NOT_OFFERED},
        help_text=_(
            "Leave empty to use the account's active contract for this product "
            "(or its only active contract)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        departments = department_list(user)
        self.fields["department"].queryset = departments
        if not self.is_bound:
            first_two = list(departments[:2])
            if len(first_two) == 1:
                self.fields["department"].initial = first_two[0]
        # What was posted decides what the lists hold: the account's contacts, and its contracts
        # a ticket in the posted department may follow. Anything else is refused as not offered.
        self.accounts = accounts_typed(self.data.get(self.add_prefix("account"), ""))
        account = self.accounts[0] if len(self.accounts) == 1 else None
        department = department_chosen(user, self.data.get(self.add_prefix("department")))
        self.fields["account"].widget.account = account
        if account is not None:
            self.fields["contact"].queryset = Contact.objects.filter(account=account).order_by(
                "last_name", "first_name", "pk"
            )
        self.fields["contract"].queryset = services.contracts_offered(
            account=account, department=department, day=self.today
        )
        self.fields["contract"].label_from_instance = contract_label
        self.helper = FormHelper()
        self.helper.form_id = "ticket-create-form"
        self.helper.add_input(Submit("submit", _("Create ticket")))

    def clean_account(self):
        if not self.accounts:
            raise forms.ValidationError(ACCOUNT_UNKNOWN, code="unknown")
        if len(self.accounts) > 1:
            raise forms.ValidationError(ACCOUNT_AMBIGUOUS, code="ambiguous")
        return self.accounts[0]

    def clean(self):
        cleaned = super().clean()
        account, contact = cleaned.get("account"), cleaned.get("contact")
        if account and contact and contact.account_id != account.pk:
            self.add_error("contact", CONTACT_OTHER_ACCOUNT)
        department = cleaned.get("department")
        if account and department and not cleaned.get("contract") and "contract" not in self.errors:
            # Several contracts and no product to tell them apart: ask rather than guess.
            several = self.fields["contract"].queryset.count() > 1
            if several and not services.contract_for(
                account=account,
                department=department,
                product_name=cleaned.get("product_name", ""),
                day=self.today,
            ):
                self.add_error("contract", CONTRACT_CHOOSE_ONE)
        return cleaned


class TicketUpdateForm(forms.Form):
    """The ticket page's form: its status, its priority, who has it and, where the Contracts
    module is on for its department, the contract it follows (SPEC section 6)."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, required=False)
    assignee = ChosenAmongRead(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Unassigned")
    )
    contract = ChosenAmongRead(
        label=_("Contract"),
        queryset=None,
        required=False,
        empty_label=_("No contract"),
        error_messages={"invalid_choice": CONTRACT_NOT_OFFERED},
    )

    def __init__(self, *args, ticket, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "status": ticket.status,
                "priority": ticket.priority,
                "assignee": ticket.assignee_id,
                "contract": ticket.contract_id,
            },
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
        self._init_contract(ticket)

    def _init_contract(self, ticket) -> None:
        """The account's contracts the ticket may follow today, and the one it follows even if no
        longer offered; fixed while the ticket holds a spent credit (the service refuses then)."""
        if not ticket.department.contracts_enabled:
            del self.fields["contract"]
            return
        field = self.fields["contract"]
        offered = services.contracts_offered(
            account=ticket.account, department=ticket.department, day=timezone.localdate()
        )
        if ticket.contract_id is not None:
            offered = offered | Contract.objects.filter(pk=ticket.contract_id)
        field.queryset = offered
        field.label_from_instance = contract_label
        # Drawn with its name, number and product (the service reads a chosen one again, locked).
        read_choices(field, offered.select_related(None).only(*CONTRACT_LABEL_FIELDS))
        if credits.holds_credit(ticket):
            field.disabled = True
            field.help_text = CONTRACT_HOLDS_CREDIT

    def clean(self):
        cleaned = super().clean()
        field = self.fields.get("contract")
        if field is not None and field.disabled:
            # A disabled field ignores what is posted; the page posts nothing for it. A contract
            # posted all the same (a page opened before the credit was spent, or forged) is
            # refused, not silently dropped.
            posted = self.data.get(self.add_prefix("contract"))
            shown = self.data.get(self.add_initial_prefix("contract"))
            current = str(self.get_initial_for_field(field, "contract") or "")
            if posted is not None and posted not in (current, shown):
                self.add_error("contract", CONTRACT_HOLDS_CREDIT)
        return cleaned

    def changes(self) -> dict:
        """What the agent changed, for ``ticket_update``: a field left as the page showed it
        (its ``initial-`` input) keeps whatever someone else saved meanwhile; an empty priority
        changes nothing."""
        changes = {name: self.cleaned_data[name] for name in self.changed_data}
        if not changes.get("priority", True):
            del changes["priority"]
        return changes


class ReplyForm(forms.Form):
    """The ticket page's conversation form: the text, and the status the agent sets with it. The
    button pressed says what it is (``send``): a reply to the customer or a private note; posted
    without a button (no browser does), it is a private note, which leaves the desk unseen."""

    REPLY, NOTE = "reply", "note"

    body = forms.CharField(
        label=_("Reply or private note"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    status = forms.ChoiceField(
        label=_("And set the status to"),
        choices=[("", _("(leave it as it is)")), *Status.choices],
        required=False,
    )
    send = forms.ChoiceField(
        choices=[(REPLY, _("Reply to the customer")), (NOTE, _("Add a private note"))],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reply")
        super().__init__(*args, **kwargs)

    @property
    def is_public(self) -> bool:
        return self.cleaned_data.get("send") == self.REPLY

    def reply(self) -> dict:
        """What the agent asked for, for ``conversation.reply_add``."""
        return {
            "body": self.cleaned_data["body"],
            "public": self.is_public,
            "status": self.cleaned_data["status"] or None,
        }
