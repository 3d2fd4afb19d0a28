"""The REST API's resources (SPEC section 12), each a thin door onto the services and selectors the
pages use: reads start from the same department-scoped selectors (another department's record is a
404), writes call the same service per intent (its refusals are 400 with each field's message, or
403), and every POST honours ``Idempotency-Key``.
"""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.filterset import BaseFilterSet as FilterSet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from automation import services as automation_services
from automation.models import Task
from contracts import credits
from contracts import selectors as contract_selectors
from contracts import services as contract_services
from contracts.filters import ContractFilter
from contracts.models import Contract, CreditEntry
from customers import services as customer_services
from customers.models import Account, Contact
from desk.search import matches_first
from plans import services as plan_services
from plans.models import SupportPlan
from sla.models import SLA
from sla.selectors import sla_targets_in_priority_order
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.conversation import reply_add
from tickets.filters import TicketFilter
from tickets.models import Reply, Ticket

from . import serializers
from .idempotency import idempotent


class ReadPermission(permissions.BasePermission):
    """Reading needs the resource's view permission (``read_permission``); a write's permission
    is its service's to check, with the department walls."""

    def has_permission(self, request, view):
        return request.method not in permissions.SAFE_METHODS or request.user.has_perm(
            view.read_permission
        )


class Resource(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, ReadPermission]
    read_permission: str

    def created(self, instance, serializer_class=None) -> Response:
        serializer_class = serializer_class or self.get_serializer_class()
        data = serializer_class(instance, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    def ok(self, instance, serializer_class=None) -> Response:
        serializer_class = serializer_class or self.get_serializer_class()
        return Response(serializer_class(instance, context=self.get_serializer_context()).data)

    def valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# --- accounts and contacts ----------------------------------------------------------------------


class AccountFilter(filters.FilterSet):
    q = filters.CharFilter(method="name_contains", label=_("Name contains"))

    class Meta:
        model = Account
        fields = ["q"]

    def name_contains(self, queryset, name, value):
        return matches_first(queryset, "name", value)


class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Resource):
    """Customer accounts (shared by every department)."""

    read_permission = "customers.view_account"

    queryset = Account.objects.all()
    serializer_class = serializers.AccountSerializer
    filterset_class = AccountFilter

    @idempotent
    def create(self, request):
        data = self.valid(serializers.AccountSerializer)
        return self.created(customer_services.account_create(by=request.user, **data))

    def partial_update(self, request, pk):
        data = self.valid(serializers.AccountSerializer, partial=True)
        account = customer_services.account_update(
            by=request.user, account=self.get_object(), **data
        )
        return self.ok(account)


class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Resource):
    """The people at customer accounts who raise tickets."""

    read_permission = "customers.view_contact"

    queryset = Contact.objects.select_related("user")
    serializer_class = serializers.ContactSerializer
    filterset_fields = ["account"]

    @idempotent
    def create(self, request):
        data = self.valid(serializers.ContactSerializer)
        return self.created(customer_services.contact_create(by=request.user, **data))

    @extend_schema(request=serializers.ContactUpdateSerializer)
    def partial_update(self, request, pk):
        data = self.valid(serializers.ContactUpdateSerializer, partial=True)
        contact = customer_services.contact_update(
            by=request.user, contact=self.get_object(), **data
        )
        return self.ok(contact)


# --- SLAs and support plans ---------------------------------------------------------------------


class SLAViewSet(viewsets.ReadOnlyModelViewSet, Resource):
    """The SLAs of the caller's departments (read only: SLAs are set up on the desk's pages)."""

    read_permission = "sla.view_sla"

    serializer_class = serializers.SLASerializer
    queryset = SLA.objects.all()

    def get_queryset(self):
        targets = Prefetch("targets", queryset=sla_targets_in_priority_order())
        return SLA.objects.visible_to(self.request.user).prefetch_related(targets)


class SupportPlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Resource):
    """Support plans. A plan in use keeps its type, cycle and SLA; deactivate it instead."""

    read_permission = "plans.view_supportplan"

    serializer_class = serializers.SupportPlanSerializer
    queryset = SupportPlan.objects.all()
    filterset_fields = ["department", "is_active", "plan_type"]

    def get_queryset(self):
        return SupportPlan.objects.visible_to(self.request.user)

    @idempotent
    def create(self, request):
        data = self.valid(serializers.SupportPlanSerializer)
        return self.created(plan_services.plan_create(by=request.user, **data))

    @extend_schema(request=serializers.SupportPlanUpdateSerializer)
    def partial_update(self, request, pk):
        data = self.valid(serializers.SupportPlanUpdateSerializer, partial=True)
        plan = plan_services.plan_update(by=request.user, plan=self.get_object(), **data)
        return self.ok(plan)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    @idempotent
    def deactivate(self, request, pk):
        """No longer offered for new contracts; the contracts on it keep it."""
        plan = plan_services.plan_set_active(
            by=request.user, plan=self.get_object(), is_active=False
        )
        return self.ok(plan)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    @idempotent
    def activate(self, request, pk):
        """Offered for new contracts again."""
        plan = plan_services.plan_set_active(
            by=request.user, plan=self.get_object(), is_active=True
        )
        return self.ok(plan)


# --- contracts and credits ----------------------------------------------------------------------


class DrawsNoDropDowns:
    """A list page's filters, less the drawing of their drop-downs (``ListFilterSet.form`` reads
    every record each offers, on every request): the API draws none, and the contract list's
    owners alone are every user of the desk. A record given as a filter is still checked."""

    form = FilterSet.form


class ApiContractFilter(DrawsNoDropDowns, ContractFilter):
    o = None  # lists page by cursor, newest first


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Resource):
    """Contracts: a customer account on a support plan for a period."""

    read_permission = "contracts.view_contract"

    serializer_class = serializers.ContractSerializer
    queryset = Contract.objects.all()
    filterset_class = ApiContractFilter

    def get_queryset(self):
        return contract_selectors.contract_list(self.request.user).prefetch_related("notify_users")

    @idempotent
    def create(self, request):
        data = self.valid(serializers.ContractSerializer)
        data.setdefault("end_date", None)
        return self.created(contract_services.contract_create(by=request.user, **data))

    def partial_update(self, request, pk):
        data = self.valid(serializers.ContractSerializer, partial=True)
        contract = contract_services.contract_update(
            by=request.user, contract=self.get_object(), **data
        )
        return self.ok(self.get_queryset().get(pk=contract.pk))

    @extend_schema(
        request=serializers.ContractRenewSerializer, responses={201: serializers.ContractSerializer}
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def renew(self, request, pk):
        """The contract that follows this one: fields not given are this one's, for the next
        period of the same length."""
        data = self.valid(serializers.ContractRenewSerializer)
        renewal = contract_services.contract_renew(
            by=request.user, contract=self.get_object(), **data
        )
        return self.created(self.get_queryset().get(pk=renewal.pk))

    @extend_schema(responses=serializers.CreditSummarySerializer)
    @action(detail=True, methods=["get"])
    def credits(self, request, pk):
        """The current cycle's credits (all null for a plan that is not ticket-based)."""
        summary = credits.summary_for(self.get_object())
        values = {"unlimited": summary is None}
        if summary is not None:
            values.update(
                cycle_start=summary.cycle.start,
                cycle_end=summary.cycle.end,
                limit=summary.limit,
                used=summary.used,
                adjusted=summary.adjusted,
                left=summary.left,
            )
        return Response(serializers.CreditSummarySerializer(values).data)


class ContractLedgerViewSet(mixins.ListModelMixin, Resource):
    """A contract's credit ledger, newest first: spends, refunds and adjustments."""

    read_permission = "contracts.view_creditentry"

    serializer_class = serializers.CreditEntrySerializer
    queryset = CreditEntry.objects.all()

    def contract(self):
        contracts = contract_selectors.contract_list(self.request.user)
        return get_object_or_404(contracts, pk=self.kwargs["contract_pk"])

    def get_queryset(self):
        return CreditEntry.objects.filter(contract=self.contract())

    @extend_schema(request=serializers.CreditAdjustmentSerializer)
    @idempotent
    def create(self, request, contract_pk):
        """Add (or take away) credits in the current cycle, with the reason."""
        data = self.valid(serializers.CreditAdjustmentSerializer)
        entry = credits.adjust(by=request.user, contract=self.contract(), **data)
        return self.created(entry)


# --- tickets and replies ------------------------------------------------------------------------


class ApiTicketFilter(DrawsNoDropDowns, TicketFilter):
    pass


class TicketViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Resource):
    """Tickets, with the ticket list's filters."""

    read_permission = "tickets.view_ticket"

    serializer_class = serializers.TicketSerializer
    queryset = Ticket.objects.all()
    filterset_class = ApiTicketFilter

    def get_queryset(self):
        return ticket_selectors.ticket_list(self.request.user)

    @idempotent
    def create(self, request):
        data = self.valid(serializers.TicketSerializer)
        return self.created(ticket_services.ticket_create(by=request.user, **data))

    @extend_schema(request=serializers.TicketChangeSerializer)
    def partial_update(self, request, pk):
        """Change the status, priority, assignee or contract, as one change."""
        data = self.valid(serializers.TicketChangeSerializer)
        ticket = ticket_services.ticket_update(by=request.user, ticket=self.get_object(), **data)
        return self.ok(ticket)


class ReplyViewSet(mixins.ListModelMixin, Resource):
    """A ticket's conversation, oldest first: public replies and private notes."""

    read_permission = "tickets.view_ticket"

    serializer_class = serializers.ReplySerializer
    queryset = Reply.objects.all()
    pagination_class = None  # a conversation is read whole, as on the ticket's page

    def ticket(self):
        tickets = ticket_selectors.ticket_list(self.request.user)
        return get_object_or_404(tickets, pk=self.kwargs["ticket_pk"])

    def get_queryset(self):
        return ticket_selectors.ticket_conversation(self.ticket(), public_only=False)

    @idempotent
    def create(self, request, ticket_pk):
        """A public reply (emailed to the customer) or a private note, and the status to set."""
        data = self.valid(serializers.ReplySerializer)
        reply = reply_add(
            by=request.user,
            ticket=self.ticket(),
            body=data["body"],
            public=data["is_public"],
            status=data.get("status"),
        )
        return self.created(reply)


# --- tasks --------------------------------------------------------------------------------------


class TaskFilter(filters.FilterSet):
    done = filters.BooleanFilter(field_name="done_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Task
        fields = ["done", "assignee", "ticket", "contract", "department"]


class TaskViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, Resource):
    """Tasks of the caller's departments."""

    read_permission = "automation.view_task"

    serializer_class = serializers.TaskSerializer
    queryset = Task.objects.all()
    filterset_class = TaskFilter

    def get_queryset(self):
        return Task.objects.visible_to(self.request.user)

    @idempotent
    def create(self, request):
        data = self.valid(serializers.TaskSerializer)
        return self.created(automation_services.task_create(by=request.user, **data))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    @idempotent
    def complete(self, request, pk):
        task = automation_services.task_complete(by=request.user, task=self.get_object())
        return self.ok(task)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    @idempotent
    def reopen(self, request, pk):
        task = automation_services.task_reopen(by=request.user, task=self.get_object())
        return self.ok(task)
