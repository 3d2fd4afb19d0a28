from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView, TemplateView

from desk.views import ManageAutomationRequiredMixin

from . import selectors, services
from .filters import SupportPlanFilter
from .forms import SupportPlanForm
from .models import SupportPlan

RANGE_ENDS_BEFORE_START = _("The end of the range cannot be before its start.")
RANGE_TOO_LONG = _("Choose a range of at most 10 years.")
MAX_RANGE_DAYS = 3653


class PlanListView(ManageAutomationRequiredMixin, ListView):
    template_name = "plans/supportplan_list.html"
    context_object_name = "plans"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = SupportPlanFilter(
            self.request.GET or None,
            queryset=selectors.plan_list(self.request.user),
            request=self.request,
            user=self.request.user,
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class PlanObjectMixin:
    """The plan of the URL, among the user's departments (404 otherwise)."""

    def get_plan(self) -> SupportPlan:
        if not hasattr(self, "_plan"):
            try:
                self._plan = selectors.plan_get(self.request.user, self.kwargs["pk"])
            except SupportPlan.DoesNotExist:
                raise Http404 from None
        return self._plan


class UsageForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
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


class PlanDetailView(ManageAutomationRequiredMixin, PlanObjectMixin, TemplateView):
    """The overview: terms, SLA, contracts, credit usage and the audit trail."""

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
            history=selectors.plan_history(plan),
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


class PlanFormMixin(ManageAutomationRequiredMixin):
    template_name = "plans/supportplan_form.html"
    form_class = SupportPlanForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class PlanCreateView(PlanFormMixin, FormView):
    def form_valid(self, form):
        try:
            plan = services.plan_create(department=form.cleaned_data["department"], **form.terms())
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Support plan created."))
        return redirect(plan)


class PlanEditView(PlanFormMixin, PlanObjectMixin, FormView):
    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_plan()}

    def get_context_data(self, **kwargs):
        return super().get_context_data(plan=self.get_plan(), **kwargs)

    def form_valid(self, form):
        try:
            plan = services.plan_update(plan=self.get_plan(), **form.terms())
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Support plan saved."))
        return redirect(plan)


class PlanSetActiveView(ManageAutomationRequiredMixin, PlanObjectMixin, View):
    """POST is_active=true to reactivate, false to deactivate."""

    def post(self, request, pk):
        plan = self.get_plan()
        is_active = request.POST.get("is_active") in {"true", "1", "on"}
        services.plan_set_active(plan=plan, is_active=is_active)
        if is_active:
            messages.success(request, _("The plan is active and offered for new contracts."))
        else:
            messages.success(
                request,
                _(
                    "The plan is deactivated: it keeps serving its contracts and is no longer "
                    "offered for new ones."
                ),
            )
        return redirect(plan)


class PlanDeleteView(ManageAutomationRequiredMixin, PlanObjectMixin, DetailView):
    """GET asks for confirmation (or explains why it cannot be deleted); POST deletes."""

    template_name = "plans/supportplan_confirm_delete.html"
    context_object_name = "plan"

    def get_object(self, queryset=None):
        return self.get_plan()

    def post(self, request, pk):
        plan = self.get_plan()
        try:
            services.plan_delete(plan=plan)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(plan)
        messages.success(request, _("Support plan deleted."))
        return redirect(reverse("plans:plan_list"))
