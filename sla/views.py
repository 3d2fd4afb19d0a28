from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from desk.history import history_entries
from desk.views import ManageAutomationRequiredMixin

from . import selectors, services
from .filters import SLAFilter
from .forms import (
    EscalationLevelForm,
    EscalationLevelFormSet,
    HolidayFormSet,
    HolidayListForm,
    SLAForm,
    escalation_users,
)
from .models import SLA, HolidayList

SLA_SAVED = _("SLA saved.")
SLA_DEACTIVATED = _("SLA deactivated: plans that use it keep it, new plans cannot choose it.")
SLA_REACTIVATED = _("SLA reactivated.")
SLA_DELETED = _("SLA deleted.")
SLA_MADE_DEFAULT = _(
    "This SLA is now the department's default: tickets that follow no plan's SLA follow it."
)
SLA_NO_LONGER_DEFAULT = _("This SLA is no longer the department's default.")
HOLIDAY_LIST_SAVED = _("Holiday list saved.")
HOLIDAY_LIST_DELETED = _("Holiday list deleted.")


class SLAListView(ManageAutomationRequiredMixin, ListView):
    template_name = "sla/sla_list.html"
    context_object_name = "slas"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = SLAFilter(
            self.request.GET or None,
            queryset=selectors.sla_list(self.request.user),
            request=self.request,
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class SLADetailView(ManageAutomationRequiredMixin, DetailView):
    template_name = "sla/sla_detail.html"
    context_object_name = "sla"

    def get_queryset(self):
        return selectors.sla_list_detailed(self.request.user)

    def get_context_data(self, **kwargs):
        history = history_entries(self.object.history, related=("department", "holiday_list"))
        return super().get_context_data(history=history, **kwargs)


class SLAFormView(ManageAutomationRequiredMixin, TemplateView):
    """Create or edit an SLA: its fields, targets and schedule in one form, levels in a formset."""

    template_name = "sla/sla_form.html"
    sla = None

    def get_sla(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.sla = self.get_sla()
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        form = SLAForm(data, user=self.request.user, sla=self.sla)
        initial = None
        if self.sla is not None:
            initial = [
                EscalationLevelForm.initial_for(lvl) for lvl in self.sla.escalation_levels.all()
            ]
        formset = EscalationLevelFormSet(
            data,
            initial=initial,
            prefix="levels",
            form_kwargs={"users": escalation_users(self.request.user)},
        )
        return form, formset

    def get(self, request, *args, **kwargs):
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                sla = self.save(form.service_kwargs(), formset.level_inputs())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, SLA_SAVED)
                return redirect(sla)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        return super().get_context_data(sla=self.sla, **kwargs)


class SLACreateView(SLAFormView):
    def save(self, data, levels):
        return services.sla_create(by=self.request.user, **data, levels=levels)


class SLAUpdateView(SLAFormView):
    def get_sla(self):
        return get_object_or_404(
            selectors.sla_list_detailed(self.request.user), pk=self.kwargs["pk"]
        )

    def save(self, data, levels):
        return services.sla_update(by=self.request.user, sla=self.sla, **data, levels=levels)


class SLAActionView(ManageAutomationRequiredMixin, View):
    """POST-only actions on one SLA: deactivate, reactivate, delete, make the department's default
    or no longer."""

    http_method_names = ["post"]
    action = ""

    def post(self, request, pk):
        try:
            sla = selectors.sla_list(request.user).get(pk=pk)
        except SLA.DoesNotExist as exc:
            raise Http404 from exc
        try:
            if self.action == "delete":
                services.sla_delete(by=request.user, sla=sla)
                messages.success(request, SLA_DELETED)
                return redirect("sla:sla_list")
            if self.action in ("make_default", "unset_default"):
                is_default = self.action == "make_default"
                services.sla_set_default(by=request.user, sla=sla, is_default=is_default)
                done = SLA_MADE_DEFAULT if is_default else SLA_NO_LONGER_DEFAULT
            else:
                active = self.action == "reactivate"
                services.sla_set_active(by=request.user, sla=sla, active=active)
                done = SLA_REACTIVATED if active else SLA_DEACTIVATED
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return redirect(reverse("sla:sla_detail", args=[pk]))


# -- holiday lists (shared by the SLAs of every department) --------------------------------------


class HolidayListListView(ManageAutomationRequiredMixin, ListView):
    template_name = "sla/holidaylist_list.html"
    context_object_name = "holiday_lists"
    paginate_by = 50

    def get_queryset(self):
        return selectors.holiday_list_list()


class HolidayListDetailView(ManageAutomationRequiredMixin, DetailView):
    template_name = "sla/holidaylist_detail.html"
    context_object_name = "holiday_list"

    def get_queryset(self):
        return selectors.holiday_list_detailed()

    def get_context_data(self, **kwargs):
        slas = list(selectors.holiday_list_slas(self.request.user, self.object))
        others = self.object.sla_count - len(slas)  # SLAs of departments the user does not see
        return super().get_context_data(slas=slas, other_slas=others, **kwargs)


class HolidayListFormView(ManageAutomationRequiredMixin, TemplateView):
    """Create or edit a holiday list: its name, and its holidays as rows (several per save)."""

    template_name = "sla/holidaylist_form.html"
    holiday_list = None

    def get_holiday_list(self):
        return None

    def dispatch(self, request, *args, **kwargs):
        if not self.has_permission():
            return self.handle_no_permission()
        self.holiday_list = self.get_holiday_list()
        return super().dispatch(request, *args, **kwargs)

    def forms(self, data=None):
        form = HolidayListForm(data, holiday_list=self.holiday_list)
        initial = None
        if self.holiday_list is not None:
            initial = HolidayFormSet.initial_for(self.holiday_list)
        formset = HolidayFormSet(data, initial=initial, prefix="holidays")
        return form, formset

    def get(self, request, *args, **kwargs):
        form, formset = self.forms()
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def post(self, request, *args, **kwargs):
        form, formset = self.forms(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                holiday_list = self.save(form.cleaned_data["name"], formset.holiday_inputs())
            except ValidationError as error:
                form.add_service_errors(error, formset)
            else:
                messages.success(request, HOLIDAY_LIST_SAVED)
                return redirect("sla:holiday_list_detail", holiday_list.pk)
        return self.render_to_response(self.get_context_data(form=form, formset=formset))

    def get_context_data(self, **kwargs):
        return super().get_context_data(holiday_list=self.holiday_list, **kwargs)


class HolidayListCreateView(HolidayListFormView):
    def save(self, name, holidays):
        return services.holiday_list_create(by=self.request.user, name=name, holidays=holidays)


class HolidayListUpdateView(HolidayListFormView):
    def get_holiday_list(self):
        return get_object_or_404(selectors.holiday_list_detailed(), pk=self.kwargs["pk"])

    def save(self, name, holidays):
        return services.holiday_list_update(
            by=self.request.user, holiday_list=self.holiday_list, name=name, holidays=holidays
        )


class HolidayListDeleteView(ManageAutomationRequiredMixin, View):
    """POST only: delete a holiday list no SLA uses; while one does, say so on its page."""

    http_method_names = ["post"]

    def post(self, request, pk):
        holiday_list = get_object_or_404(HolidayList, pk=pk)
        try:
            services.holiday_list_delete(by=request.user, holiday_list=holiday_list)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("sla:holiday_list_detail", pk)
        messages.success(request, HOLIDAY_LIST_DELETED)
        return redirect("sla:holiday_list_list")
