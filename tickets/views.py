from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, ListView

from . import selectors, services
from .forms import TicketCreateForm, TicketStatusForm


class TicketListView(ListView):
    template_name = "tickets/ticket_list.html"
    context_object_name = "tickets"
    paginate_by = 50

    def get_queryset(self):
        return selectors.ticket_list(self.request.user)


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


class TicketDetailView(DetailView):
    template_name = "tickets/ticket_detail.html"
    context_object_name = "ticket"

    def get_object(self, queryset=None):
        return get_object_or_404(
            selectors.ticket_detail_queryset(self.request.user), pk=self.kwargs["pk"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(selectors.ticket_panels(self.object))
        context["status_form"] = TicketStatusForm(initial={"status": self.object.status})
        return context

    def post(self, request, *args, **kwargs):
        ticket = self.get_object()
        if not request.user.has_perm("tickets.change_ticket"):
            raise PermissionDenied
        form = TicketStatusForm(request.POST)
        if form.is_valid():
            services.ticket_change_status(ticket=ticket, status=form.cleaned_data["status"])
            messages.success(request, _("Status changed."))
        else:
            messages.error(request, _("Choose a valid status."))
        return redirect(ticket)
