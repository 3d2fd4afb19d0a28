from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from desk.access import can_manage_automation
from desk.pagination import IdFirstPaginator
from desk.selectors import contracts_module_visible
from desk.views import ManageAutomationRequiredMixin
from plans import selectors as plan_selectors
from plans.views import PlanObjectMixin

from . import charts, credits, selectors, services
from .filters import ContractFilter
from .forms import ContractForm, CreditAdjustmentForm, usage_range


class ContractListView(FilterView):
    template_name = "contracts/contract_list.html"
    context_object_name = "contracts"
    filterset_class = ContractFilter
    paginate_by = 25
    # Never counted: a COUNT(*) of every contract the user sees grew with the desk (3 ms at
    # 10,000 contracts, 24 ms at 100,000); "Page N" and whether a next one follows need none.
    paginator_class = IdFirstPaginator
    strict = False

    def get_queryset(self):
        return selectors.contract_list(self.request.user)

    def get_paginator(self, *args, **kwargs):
        return super().get_paginator(*args, rows_by_id=selectors.contract_rows_by_id, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        module_on = contracts_module_visible(user)
        return super().get_context_data(
            module_on=module_on,
            can_organize_modules=not module_on and can_manage_automation(user),
            **kwargs,
        )


class ModuleOnRequiredMixin:
    """The contract pages answer 404 where the module is off in every department of the user
    (administrators included): there is nothing to create or renew a contract on."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not contracts_module_visible(request.user):
            raise Http404(_("The Contracts module is switched off."))
        return super().dispatch(request, *args, **kwargs)


def _adjust_form(contract, data=None):
    plan = contract.support_plan
    return CreditAdjustmentForm(
        data,
        action=reverse("contracts:contract_adjust_credits", args=[contract.pk]),
        credit_limit=plan.credit_limit if plan.is_ticket_based else None,
    )


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
            context["adjust_form"] = adjust_form or _adjust_form(contract)
        context["renewed_by"] = getattr(contract, "renewed_by", None)
        context["can_renew"] = (
            contract.end_date is not None
            and context["renewed_by"] is None
            and self.request.user.has_perm("contracts.add_contract")
        )
        return context


class ContractAdjustCreditsView(PermissionRequiredMixin, ContractDetailView):
    """POST only: a manual credit adjustment; errors show on the detail page's Support plan tab."""

    permission_required = "contracts.adjust_credits"
    raise_exception = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = contract = self.get_object()
        form = _adjust_form(contract, request.POST)
        if form.is_valid():
            fields = {name: form.cleaned_data[name] for name in ("delta", "reason")}
            try:
                credits.adjust(by=request.user, contract=contract, **fields)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Credits adjusted."))
                return redirect(f"{contract.get_absolute_url()}?tab=plan")
        context = self.get_context_data(adjust_form=form)
        context["active_tab"] = "plan"
        return self.render_to_response(context)


class ContractCreateView(PermissionRequiredMixin, ModuleOnRequiredMixin, FormView):
    permission_required = "contracts.add_contract"
    raise_exception = True
    template_name = "contracts/contract_form.html"
    form_class = ContractForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            contract = services.contract_create(by=self.request.user, **form.cleaned_data)
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
            contract = services.contract_update(
                by=self.request.user, contract=self.object, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contract saved."))
        return redirect(contract)


class ContractRenewView(PermissionRequiredMixin, ModuleOnRequiredMixin, FormView):
    """The new-contract form filled in from the contract it renews (SPEC section 6, "Renew")."""

    permission_required = "contracts.add_contract"
    raise_exception = True
    template_name = "contracts/contract_form.html"
    form_class = ContractForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.renewing = get_object_or_404(
                selectors.contract_detail_queryset(request.user), pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        if self.renewing.end_date is None:
            return {}
        return services.renewal_initial(self.renewing)

    def get(self, request, *args, **kwargs):
        refusal = self._refusal()
        if refusal is not None:
            messages.error(request, refusal)
            return redirect(self.renewing)
        return super().get(request, *args, **kwargs)

    def _refusal(self):
        if self.renewing.end_date is None:
            return services.RENEW_NEEDS_END_DATE
        successor = getattr(self.renewing, "renewed_by", None)
        if successor is not None:
            return services.RENEW_ALREADY_RENEWED % {"contract": successor}
        return None

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "renewing": self.renewing,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(renewing=self.renewing, **kwargs)

    def form_valid(self, form):
        try:
            contract = services.contract_renew(
                by=self.request.user, contract=self.renewing, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Contract renewed."))
        return redirect(contract)


# --- the support plan overview ----------------------------------------------------------------


class PlanOverviewView(ManageAutomationRequiredMixin, PlanObjectMixin, TemplateView):
    """The support plan overview (SPEC section 3): terms, SLA, contracts, credit usage and the
    audit trail. It lives here, with the contracts whose usage it reads; its address is among the
    plans' (``config.urls``)."""

    template_name = "plans/supportplan_detail.html"

    def get_context_data(self, **kwargs):
        plan = self.get_plan()
        usage_form, params = usage_range(self.request.GET)
        usage = selectors.plan_credit_usage(
            plan=plan, start=params["start"], end=params["end"], grouping=params["group"]
        )
        return super().get_context_data(
            plan=plan,
            contracts=selectors.plan_contracts(plan)[: selectors.CONTRACTS_SHOWN],
            contracts_shown=selectors.CONTRACTS_SHOWN,
            usage=usage,
            chart=charts.usage_chart(usage, plan),
            usage_form=usage_form,
            history=plan_selectors.plan_history(plan),
            **kwargs,
        )
