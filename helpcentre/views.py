"""The help centre's pages (SPEC section 9): a customer's contracts, plans, credits and usage,
and their tickets.

Each page starts from the signed-in contact (``CustomerRequiredMixin``: anonymous visitors go to
the help centre's sign-in, staff see a notice) and reads through ``helpcentre.selectors``, which
keeps every read within the contact's account. Writes go through the tickets app's services, the
one door the agents' pages use too.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView, TemplateView

from contracts import charts
from contracts.forms import usage_range
from contracts.selectors import plan_credit_usage
from desk.choices import Status
from desk.pagination import IdFirstPaginator
from tickets.conversation import TICKET_CLOSED, reply_add
from tickets.models import Ticket
from tickets.services import ticket_raise

from . import selectors
from .access import CustomerRequiredMixin
from .forms import RaiseTicketForm, ReplyForm, TicketListFilterForm

TICKET_RAISED = _("Your ticket #%(number)s was raised. We will answer here and by email.")
REPLY_SENT = _("Your reply was sent.")
REPLY_REFUSED = _("Your reply was not sent: correct the errors below.")


def add_service_error(form, error: ValidationError) -> None:
    """A service's refusal on the form: on the field it names where the form has that field,
    above the form otherwise."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class HelpCentrePage(CustomerRequiredMixin):
    """What every page of the help centre's frame knows: the contact, their account, and which
    section of the top bar is current."""

    section = ""

    def get_context_data(self, **kwargs):
        return super().get_context_data(  # type: ignore[misc]
            help_contact=self.contact, help_section=self.section, **kwargs
        )


class HomeView(HelpCentrePage, TemplateView):
    """The account's active and upcoming contracts, each with its plan, SLA and credits, and the
    contact's open tickets."""

    template_name = "helpcentre/home.html"
    section = "home"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        contracts = list(selectors.contract_list(self.contact.account, today))
        credits = selectors.contract_credits(contracts, today)
        return super().get_context_data(
            today=today,
            contracts=[(contract, credits.get(contract.pk)) for contract in contracts],
            tickets=selectors.recent_open_tickets(self.contact),
            **kwargs,
        )


class ContractDetailView(HelpCentrePage, TemplateView):
    """One of the account's active or upcoming contracts, and its plan's usage by the account
    over a chosen range: the staff plan overview's figures, limited to the account."""

    template_name = "helpcentre/contract_detail.html"
    section = "home"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        contract = (
            selectors.contract_list(self.contact.account, today)
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if contract is None:
            raise Http404(_("No such contract of your account."))
        plan = contract.support_plan
        usage_form, params = usage_range(self.request.GET)
        usage = plan_credit_usage(
            plan=plan,
            start=params["start"],
            end=params["end"],
            grouping=params["group"],
            account=self.contact.account,
        )
        return super().get_context_data(
            today=today,
            contract=contract,
            credits=selectors.contract_credits([contract], today).get(contract.pk),
            usage=usage,
            chart=charts.usage_chart(usage, plan),
            usage_form=usage_form,
            **kwargs,
        )


class TicketListView(HelpCentrePage, ListView):
    """The contact's tickets (every ticket of the account for its administrator), newest first,
    all of them or the open or resolved ones."""

    template_name = "helpcentre/ticket_list.html"
    context_object_name = "tickets"
    paginate_by = 25
    paginator_class = IdFirstPaginator
    section = "tickets"

    def get_queryset(self):
        self.filter_form = TicketListFilterForm(self.request.GET or None)
        show = ""
        if self.filter_form.is_valid():
            show = self.filter_form.cleaned_data["show"]
        self.show = show
        return selectors.ticket_list(self.contact, show=show)

    def get_paginator(self, *args, **kwargs):
        return super().get_paginator(*args, rows_by_id=selectors.ticket_rows_by_id, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filter_form=self.filter_form, show=self.show, now=timezone.now(), **kwargs
        )


class TicketCreateView(HelpCentrePage, FormView):
    """Raise a ticket: it follows the account's contract as a ticket an agent opens does."""

    template_name = "helpcentre/ticket_form.html"
    form_class = RaiseTicketForm
    section = "raise"

    def get_form_kwargs(self):
        contracts = selectors.contracts_for_new_ticket(self.contact.account, timezone.localdate())
        return {**super().get_form_kwargs(), "contracts": contracts}

    def form_valid(self, form):
        try:
            ticket = ticket_raise(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, TICKET_RAISED % {"number": ticket.pk})
        return redirect("helpcentre:ticket_detail", pk=ticket.pk)


class TicketDetailView(HelpCentrePage, TemplateView):
    """One of the contact's tickets: where it stands, whether it follows the plan's SLA and why
    not, and its public conversation, with a reply form while the ticket takes replies."""

    template_name = "helpcentre/ticket_detail.html"
    section = "tickets"

    def get_ticket(self) -> Ticket:
        try:
            return selectors.ticket_get(self.contact, self.kwargs["pk"])
        except Ticket.DoesNotExist:
            raise Http404(_("No such ticket of yours.")) from None

    def get_context_data(self, **kwargs):
        ticket = kwargs.pop("ticket", None) or self.get_ticket()
        closed = ticket.status == Status.CLOSED
        if not closed:
            kwargs.setdefault("reply_form", ReplyForm())
        return super().get_context_data(
            ticket=ticket,
            closed=closed,
            conversation=selectors.conversation(ticket, reader=self.request.user),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        ticket = self.get_ticket()
        form = ReplyForm(request.POST)
        page = reverse("helpcentre:ticket_detail", args=[ticket.pk])
        if ticket.status == Status.CLOSED:  # the page offers no form: it says why
            messages.error(request, TICKET_CLOSED)
            return redirect(page)
        if form.is_valid():
            try:
                reply_add(
                    by=request.user, ticket=ticket, body=form.cleaned_data["body"], public=True
                )
            except ValidationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, REPLY_SENT)
                return redirect(f"{page}#conversation")
        messages.error(request, REPLY_REFUSED)
        return self.render_to_response(self.get_context_data(ticket=ticket, reply_form=form))
