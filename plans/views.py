from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from desk.views import ManageAutomationRequiredMixin

from . import selectors, services
from .filters import SupportPlanFilter
from .forms import SupportPlanForm
from .models import SupportPlan


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
        return super().get_context_data(
            filter=self.filterset, count_cap=selectors.LIST_COUNT_CAP, **kwargs
        )


class PlanObjectMixin:
    """The plan of the URL, among the user's departments (404 otherwise)."""

    def get_plan(self) -> SupportPlan:
        if not hasattr(self, "_plan"):
            try:
                self._plan = selectors.plan_get(self.request.user, self.kwargs["pk"])
            except SupportPlan.DoesNotExist:
                raise Http404 from None
        return self._plan


class PlanFormMixin(ManageAutomationRequiredMixin):
    template_name = "plans/supportplan_form.html"
    form_class = SupportPlanForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class PlanCreateView(PlanFormMixin, FormView):
    def form_valid(self, form):
        try:
            plan = services.plan_create(
                by=self.request.user, department=form.cleaned_data["department"], **form.terms()
            )
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
            plan = services.plan_update(by=self.request.user, plan=self.get_plan(), **form.terms())
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
        services.plan_set_active(by=request.user, plan=plan, is_active=is_active)
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
            services.plan_delete(by=request.user, plan=plan)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(plan)
        messages.success(request, _("Support plan deleted."))
        return redirect(reverse("plans:plan_list"))
