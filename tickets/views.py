from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView, TemplateView, View
from django_filters.views import FilterView

from contracts.selectors import (
    contract_list_for_account,
    contract_search,
    contracts_at_credit_limit,
    contracts_expiring,
)
from customers import selectors as customer_selectors
from customers.models import Account
from desk.pagination import IdFirstPaginator
from desk.planning import for_their_values
from desk.selectors import contracts_module_visible

from . import conversation, selectors, services
from .filters import TicketFilter
from .forms import ReplyForm, TicketCreateForm, TicketUpdateForm


class HomeView(TemplateView):
    """The signed-in user's start page: their open tickets, the tickets overdue or due soon, and
    (where the Contracts module is on) contracts expiring or out of credits. One query a figure;
    each stops counting at ``HOME_COUNT_CAP`` ("100+"). It lives here, above the apps it reads;
    its address is the desk's root (``config.urls``)."""

    template_name = "tickets/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["tickets"] = selectors.ticket_home_figures(user, timezone.now())
        context["count_cap"] = selectors.HOME_COUNT_CAP
        context["show_contracts"] = contracts_module_visible(user)
        if context["show_contracts"]:
            today = timezone.localdate()
            context["expiring"] = contracts_expiring(user, today, cap=selectors.HOME_COUNT_CAP)
            context["at_limit"] = contracts_at_credit_limit(
                user, today, cap=selectors.HOME_COUNT_CAP
            )
        return context


class SearchView(ListView):
    """One box in the top bar (issue 16): tickets by number, subject and description, accounts
    by name, and (where the Contracts module is on) contracts by name and number. Each app's
    selector reads its part within the walls of its list page; tickets are ranked and paged,
    accounts and contracts show their first few."""

    template_name = "tickets/search.html"
    context_object_name = "tickets"
    paginate_by = 25
    paginator_class = IdFirstPaginator
    max_length = 200  # the longest search taken
    shown = 10  # accounts and contracts shown

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.q = request.GET.get("q", "").strip()
        self.too_long = len(self.q) > self.max_length
        self.searching = bool(self.q) and not self.too_long

    def get(self, request, *args, **kwargs):
        # A word found in a few records or in half the desk: every read of the page is planned
        # for the word searched (``desk.planning``), the page drawn with them.
        with for_their_values():
            return super().get(request, *args, **kwargs).render()

    def get_queryset(self):
        if not self.searching:
            return selectors.ticket_list(self.request.user).none()
        return selectors.ticket_search(self.request.user, self.q)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        page = context["page_obj"]
        context.update(
            q=self.q,
            searching=self.searching,
            too_long=self.too_long,
            max_length=self.max_length,
            # The last page of a full window: older matches may exist, not ranked nor shown.
            window=selectors.SEARCH_WINDOW,
            window_full=not page.has_next() and page.end_index() >= selectors.SEARCH_WINDOW,
            show_contracts=contracts_module_visible(user),
        )
        if self.searching:
            context["accounts"], context["more_accounts"] = self.first(
                customer_selectors.account_search(user, self.q)
            )
            if context["show_contracts"]:
                context["contracts"], context["more_contracts"] = self.first(
                    contract_search(user, self.q)
                )
        return context

    def first(self, queryset) -> tuple[list, bool]:
        """The first ``shown`` rows, and whether more follow (one more is read, none counted)."""
        rows = list(queryset[: self.shown + 1])
        return rows[: self.shown], len(rows) > self.shown


class TicketListView(FilterView):
    template_name = "tickets/ticket_list.html"
    context_object_name = "tickets"
    filterset_class = TicketFilter
    paginate_by = 50
    paginator_class = IdFirstPaginator

    def get_queryset(self):
        return selectors.ticket_rows(self.request.user)

    def get_paginator(self, *args, **kwargs):
        return super().get_paginator(*args, rows_by_id=selectors.ticket_rows_by_id, **kwargs)


class TicketCreateView(PermissionRequiredMixin, FormView):
    permission_required = "tickets.add_ticket"
    raise_exception = True
    template_name = "tickets/ticket_form.html"
    form_class = TicketCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            ticket = services.ticket_create(by=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Ticket created."))
        return redirect(ticket)


class NewTicketAccountsView(PermissionRequiredMixin, View):
    """The new-ticket form's account suggestions: ``?q=`` part of a name; at most 20, as JSON."""

    permission_required = "tickets.add_ticket"
    raise_exception = True

    def get(self, request):
        accounts = customer_selectors.account_suggestions(request.GET.get("q", ""))
        return JsonResponse([{"id": a.pk, "name": a.name} for a in accounts], safe=False)


class NewTicketChoicesView(PermissionRequiredMixin, View):
    """The contacts and contracts the new-ticket form offers for ``?account=`` in
    ``?department=`` (no contracts for a department the user does not work in), as JSON."""

    permission_required = "tickets.add_ticket"
    raise_exception = True

    def get(self, request):
        pk = request.GET.get("account", "").strip()
        if not (pk.isascii() and pk.isdigit() and len(pk) < 19):
            raise Http404
        account = get_object_or_404(Account, pk=int(pk))
        department = selectors.department_chosen(request.user, request.GET.get("department"))
        return JsonResponse(
            selectors.new_ticket_choices(
                account=account, department=department, day=timezone.localdate()
            )
        )


class TicketDetailView(DetailView):
    template_name = "tickets/ticket_detail.html"
    context_object_name = "ticket"

    def get_object(self, queryset=None):
        return get_object_or_404(
            selectors.ticket_detail_queryset(self.request.user), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.ticket_panels(self.object, user=self.request.user))
        context["conversation"] = selectors.ticket_conversation(self.object, public_only=False)
        context.setdefault("update_form", TicketUpdateForm(ticket=self.object))
        context.setdefault("reply_form", ReplyForm())
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if not request.user.has_perm("tickets.change_ticket"):
            raise PermissionDenied
        form = TicketUpdateForm(request.POST, ticket=self.object)
        if not form.is_valid():
            return self.refused(form)
        try:
            services.ticket_update(by=request.user, ticket=self.object, **form.changes())
        except ValidationError as error:
            form.add_error(None, error)
            return self.refused(form)
        messages.success(request, _("Ticket updated."))
        return redirect(self.object)

    def refused(self, form):
        messages.error(self.request, _("The ticket was not changed: correct the errors below."))
        return self.render_to_response(self.get_context_data(update_form=form), status=200)


class ReplyAddView(TicketDetailView):
    """The conversation form of the ticket page (``tickets/<id>/replies/``): a reply to the
    customer or a private note. A refusal shows the ticket page again with the message and the
    text kept; a reply goes back to the conversation."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()  # the department wall: 404 outside it
        if not request.user.has_perm("tickets.change_ticket"):
            raise PermissionDenied
        form = ReplyForm(request.POST)
        if not form.is_valid():
            return self.reply_refused(form)
        try:
            reply = conversation.reply_add(by=request.user, ticket=self.object, **form.reply())
        except ValidationError as error:
            form.add_error(None, error)
            return self.reply_refused(form)
        contact = self.object.contact
        if not reply.is_public:
            messages.success(request, _("Private note added."))
        elif contact is not None and contact.email:
            messages.success(
                request, _("Reply added and emailed to %(email)s.") % {"email": contact.email}
            )
        else:
            messages.warning(
                request,
                _("Reply added. The ticket's contact has no email address: nobody was emailed."),
            )
        return redirect(self.object.get_absolute_url() + "#conversation")

    def reply_refused(self, form):
        messages.error(self.request, _("The reply was not added: correct the errors below."))
        return self.render_to_response(self.get_context_data(reply_form=form), status=200)


class AccountDetailView(DetailView):
    """The customer's page: contacts, recent tickets and, where the module is on, contracts. It
    lives here, above the apps it reads; its address is among the customers' (``config.urls``)."""

    template_name = "customers/account_detail.html"
    context_object_name = "account"

    def get_queryset(self):
        return customer_selectors.account_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["contacts"] = customer_selectors.account_contacts(self.object)
        context["tickets"] = selectors.account_recent_tickets(user, self.object)
        context["show_contracts"] = contracts_module_visible(user)
        if context["show_contracts"]:
            context["contracts"] = contract_list_for_account(user, self.object)
        return context
