from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from desk.validators import date_input_attrs, validate_date_in_range
from desk.views import ManageAutomationRequiredMixin
from plans import selectors as plan_selectors
from plans.views import PlanObjectMixin

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
                credits.adjust(by=request.user, contract=contract, **form.cleaned_data)
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


# --- the support plan overview ----------------------------------------------------------------

RANGE_ENDS_BEFORE_START = _("The end of the range cannot be before its start.")
RANGE_TOO_LONG = _("Choose a range of at most 10 years.")
MAX_RANGE_DAYS = 3653


class UsageForm(forms.Form):
    start = forms.DateField(
        label=_("From"),
        widget=forms.DateInput(attrs=date_input_attrs()),
        validators=[validate_date_in_range],
    )
    end = forms.DateField(
        label=_("To"),
        widget=forms.DateInput(attrs=date_input_attrs()),
        validators=[validate_date_in_range],
    )
    group = forms.ChoiceField(label=_("Group by"), choices=selectors.Grouping.CHOICES)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", RANGE_ENDS_BEFORE_START)
            elif (end - start).days > MAX_RANGE_DAYS:
                self.add_error("start", RANGE_TOO_LONG)
        return cleaned


class PlanOverviewView(ManageAutomationRequiredMixin, PlanObjectMixin, TemplateView):
    """The support plan overview (SPEC section 3): terms, SLA, contracts, credit usage and the
    audit trail. It lives here, with the contracts whose usage it reads; its address is among the
    plans' (``config.urls``)."""

    template_name = "plans/supportplan_detail.html"

    def get_context_data(self, **kwargs):
        plan = self.get_plan()
        start, end = selectors.default_usage_range()
        params = {"start": start, "end": end, "group": selectors.Grouping.MONTH}
        query = self.request.GET
        asked = {key: query[key] for key in params if key in query}
        defaults = {"start": start.isoformat(), "end": end.isoformat(), "group": params["group"]}
        usage_form = UsageForm({**defaults, **asked} if asked else None, initial=params)
        if usage_form.is_bound and usage_form.is_valid():
            params = usage_form.cleaned_data
        usage = selectors.plan_credit_usage(
            plan=plan, start=params["start"], end=params["end"], grouping=params["group"]
        )
        return super().get_context_data(
            plan=plan,
            contracts=selectors.plan_contracts(plan)[: selectors.CONTRACTS_SHOWN],
            contracts_shown=selectors.CONTRACTS_SHOWN,
            usage=usage,
            chart=_bar_chart(usage),
            usage_form=usage_form,
            history=plan_selectors.plan_history(plan),
            **kwargs,
        )


def _period_label(start, grouping: str) -> str:
    if grouping == selectors.Grouping.WEEK:
        return start.isoformat()
    if grouping == selectors.Grouping.MONTH:
        return start.strftime("%Y-%m")
    if grouping == selectors.Grouping.QUARTER:
        return f"{start.year} Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def _bar_chart(usage, width: int = 720, height: int = 200) -> dict:
    """Coordinates of the server-drawn SVG bar chart; the template only places them."""
    top, bottom = 16, 24
    plot = height - top - bottom
    count = max(len(usage.periods), 1)
    slot = width / count
    peak = usage.peak or 1
    bars = []
    for i, period in enumerate(usage.periods):
        bar_height = round(plot * period.used / peak, 1) if period.used > 0 else 0
        bars.append(
            {
                "x": round(i * slot + slot * 0.1, 1),
                "y": round(top + plot - bar_height, 1),
                "width": round(slot * 0.8, 1),
                "height": bar_height,
                "label": _period_label(period.start, usage.grouping),
                "label_x": round(i * slot + slot / 2, 1),
                "text_y": round(top + plot - bar_height - 3, 1),
                "used": period.used,
                "start": period.start,
            }
        )
    every = max(1, round(count / 12))  # at most about 12 axis labels
    for i, bar in enumerate(bars):
        bar["show_label"] = i % every == 0
    return {
        "width": width,
        "height": height,
        "baseline": top + plot,
        "bars": bars,
        "label_y": height - 6,
        "peak": usage.peak,
    }
