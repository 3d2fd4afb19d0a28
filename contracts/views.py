from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from . import credits, selectors, services
from .filters import ContractFilter
from .forms import ContractForm, CreditAdjustmentForm


class ContractListView(FilterView):
    template_name = "contracts/contract_list.html"
    context_object_name = "contracts"
    filterset_class = ContractFilter
    paginate_by = 25
    strict = False

    def get_queryset(self):
        return selectors.contract_list(self.request.user)


class ContractDetailView(DetailView):
    ledger_page_size = 25  # the ledger grows for as long as the contract runs
    template_name = "contracts/contract_detail.html"
    context_object_name = "contract"

    def get_object(self, queryset=None):
        return get_object_or_404(
            selectors.contract_detail_queryset(self.request.user), pk=self.kwargs["pk"]
        )

    def get_context_data(self, adjust_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        contract = self.object
        context["credit_summary"] = credits.summary_for(contract)
        context["ledger"] = Paginator(
            selectors.credit_ledger(contract), self.ledger_page_size
        ).get_page(self.request.GET.get("ledger_page"))
        context["history"] = selectors.contract_history(contract)
        context["active_tab"] = self.request.GET.get("tab", "contract")
        if self.request.user.has_perm("contracts.adjust_credits"):
            context["adjust_form"] = adjust_form or CreditAdjustmentForm(
                action=reverse("contracts:contract_adjust_credits", args=[contract.pk])
            )
        return context


class ContractAdjustCreditsView(PermissionRequiredMixin, ContractDetailView):
    """POST only: a manual credit adjustment; errors show on the detail page's Support plan tab."""

    permission_required = "contracts.adjust_credits"
    raise_exception = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        form = CreditAdjustmentForm(
            request.POST,
            action=reverse("contracts:contract_adjust_credits", args=[contract.pk]),
        )
        if form.is_valid():
            try:
                credits.adjust(contract=contract, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Credits adjusted."))
                return redirect(f"{contract.get_absolute_url()}?tab=plan")
        context = self.get_context_data(adjust_form=form)
        context["active_tab"] = "plan"
        return self.render_to_response(context)


class ContractCreateView(PermissionRequiredMixin, FormView):
    permission_required = "contracts.add_contract"
    raise_exception = True
    template_name = "contracts/contract_form.html"
    form_class = ContractForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            contract = services.contract_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contract created."))
        return redirect(contract)


class ContractUpdateView(PermissionRequiredMixin, FormView):
    permission_required = "contracts.change_contract"
    raise_exception = True
    template_name = "contracts/contract_form.html"
    form_class = ContractForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.object = get_object_or_404(selectors.contract_list(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "instance": self.object,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(contract=self.object, **kwargs)

    def form_valid(self, form):
        try:
            contract = services.contract_update(contract=self.object, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contract saved."))
        return redirect(contract)
