"""The help centre's forms: raising a ticket, replying to one, and the ticket list's filter.

They check the shape of what a customer posts; the rules (which contract a ticket follows, what
a reply does to its ticket) are the services' (``tickets.services.ticket_raise``, ``reply_add``).
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import Contract
from tickets.services import TEXT_MAX

from .selectors import TicketFilter

CONTRACT_NOT_YOURS = _("Choose one of your account's active contracts, or leave it empty.")
REPLY_EMPTY = _("Write your reply.")
SUBJECT_EMPTY = _("Say in a few words what the ticket is about.")


def contract_label(contract: Contract) -> str:
    """How a contract is offered to the customer: its name and number, and its product."""
    name = f"{contract.name} ({contract.contract_number})"
    return f"{name} · {contract.product_name}" if contract.product_name else name


class RaiseTicketForm(forms.Form):
    subject = forms.CharField(
        label=_("Subject"),
        max_length=255,
        error_messages={"required": SUBJECT_EMPTY},
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What happened, what you expected, and since when."),
    )
    product_name = forms.CharField(label=_("Product"), max_length=200, required=False)
    contract = forms.ModelChoiceField(
        label=_("Contract"),
        queryset=Contract.objects.none(),
        required=False,
        empty_label=_("Not sure (chosen for you)"),
        error_messages={"invalid_choice": CONTRACT_NOT_YOURS},
        help_text=_(
            "Leave it to us: the ticket follows your active contract for the product, or your "
            "only active contract."
        ),
    )

    def __init__(self, *args, contracts, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["contract"]
        field.queryset = contracts
        field.label_from_instance = contract_label
        self.helper = FormHelper()
        self.helper.form_id = "raise-ticket"
        self.helper.add_input(Submit("raise", _("Raise the ticket")))


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": REPLY_EMPTY},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_id = "reply-form"
        self.helper.add_input(Submit("reply", _("Send reply")))


class TicketListFilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), choices=TicketFilter.CHOICES, required=False)
