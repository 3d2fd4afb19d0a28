"""What the API reads and writes, field by field.

Serializers only shape and type-check: every rule lives in the service a view calls, whose
``ValidationError`` comes back as a 400 with each field's message (``api.errors``). Fields that
name a record of a department (an SLA, a plan, a contract, a ticket) only find the records the
caller sees: another department's record reads as one that does not exist, as on the pages.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from automation.models import Task
from contracts.models import Contract, CreditEntry
from customers.models import Account, Contact
from desk.choices import Priority, Status
from desk.models import Department
from plans.models import SupportPlan
from sla.models import SLA, SLATarget
from tickets.models import Reply, Ticket

User = get_user_model()


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related record by id, among those of the caller's departments only."""

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.visible_to(self.context["request"].user)


def user_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    """A user by id (whether they may take the role, a department member, is the service's rule)."""
    return serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), **kwargs
    )


# --- accounts and contacts ----------------------------------------------------------------------


class AccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = Account
        fields = ["id", "name", "website", "phone", "created_at"]
        extra_kwargs = {
            "name": {"help_text": _("The customer organisation's name.")},
            "created_at": {"help_text": _("When the account was added.")},
        }


class ContactSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), help_text=_("The account the contact belongs to.")
    )
    has_help_centre_access = serializers.SerializerMethodField(
        help_text=_("Whether the contact can sign in to the help centre.")
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "account",
            "first_name",
            "last_name",
            "email",
            "phone",
            "is_account_admin",
            "has_help_centre_access",
        ]
        read_only_fields = ["is_account_admin"]

    def get_has_help_centre_access(self, contact) -> bool:
        return contact.user_id is not None and contact.user.is_active


class ContactUpdateSerializer(ContactSerializer):
    account = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("The account the contact belongs to.")
    )


# --- SLAs and support plans ---------------------------------------------------------------------


class SLATargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = SLATarget
        fields = ["priority", "response_minutes", "resolution_minutes"]


class SLASerializer(serializers.ModelSerializer):
    targets = SLATargetSerializer(
        many=True, read_only=True, help_text=_("Response and resolution times by priority.")
    )

    class Meta:
        model = SLA
        fields = [
            "id",
            "department",
            "name",
            "description",
            "is_active",
            "is_default",
            "business_hours",
            "time_zone",
            "targets",
        ]
        read_only_fields = fields


class SupportPlanSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), help_text=_("The department offering the plan.")
    )
    sla = VisiblePrimaryKeyField(
        queryset=SLA.objects.all(), help_text=_("The SLA the plan's tickets follow.")
    )
    credit_cycle = serializers.ChoiceField(
        choices=SupportPlan.CreditCycle.choices,
        required=False,
        allow_blank=True,
        help_text=_("How often a ticket-based plan's credits start again (blank: unlimited)."),
    )
    credit_limit = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text=_("Credits in each cycle of a ticket-based plan (null: unlimited)."),
    )

    class Meta:
        model = SupportPlan
        fields = [
            "id",
            "department",
            "name",
            "plan_type",
            "credit_cycle",
            "credit_limit",
            "sla",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["is_active", "created_at", "updated_at"]
        # A new plan names its type (the model's default would hide a forgotten one).
        extra_kwargs = {"plan_type": {"required": True}}
        # A name's uniqueness in its department is the service's rule (its message).
        validators: list = []


class SupportPlanUpdateSerializer(SupportPlanSerializer):
    department = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("The department offering the plan.")
    )


# --- contracts and credits ----------------------------------------------------------------------


class ContractSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), help_text=_("The customer account under contract.")
    )
    support_plan = VisiblePrimaryKeyField(
        queryset=SupportPlan.objects.all(), help_text=_("The support plan the contract follows.")
    )
    owner = user_field(
        required=False, help_text=_("The contract manager in charge (default: the caller).")
    )
    notify_users = user_field(
        many=True,
        required=False,
        help_text=_("Who is emailed before the contract ends."),
    )
    status = serializers.ChoiceField(
        choices=Contract.Status.choices,
        read_only=True,
        help_text=_("Upcoming, active or expired, today."),
    )
    renews = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The contract this one renews, if any.")
    )

    class Meta:
        model = Contract
        fields = [
            "id",
            "contract_number",
            "name",
            "account",
            "support_plan",
            "owner",
            "product_name",
            "start_date",
            "end_date",
            "notify_users",
            "notify_days_before",
            "status",
            "renews",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]
        # The number's uniqueness is the service's rule (its message, under its lock).
        extra_kwargs = {"contract_number": {"validators": []}}


class ContractRenewSerializer(ContractSerializer):
    """A renewal: a new number; every other field defaults to the renewed contract's, for the
    next period of the same length."""

    # Declared fields take no ``extra_kwargs``: optional here, as the Meta's are.
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(),
        required=False,
        help_text=_("The customer account under contract (default: the renewed contract's)."),
    )
    support_plan = VisiblePrimaryKeyField(
        queryset=SupportPlan.objects.all(),
        required=False,
        help_text=_("The support plan the contract follows (default: the renewed contract's)."),
    )

    class Meta(ContractSerializer.Meta):
        extra_kwargs = {
            "contract_number": {"validators": []},
            **{
                name: {"required": False}
                for name in ["name", "account", "support_plan", "start_date", "end_date"]
            },
        }


class CreditSummarySerializer(serializers.Serializer):
    unlimited = serializers.BooleanField(
        help_text=_("True when the plan is not ticket-based: no credits are counted.")
    )
    cycle_start = serializers.DateField(
        allow_null=True, help_text=_("First day of the current cycle.")
    )
    cycle_end = serializers.DateField(
        allow_null=True, help_text=_("Last day of the current cycle.")
    )
    limit = serializers.IntegerField(
        allow_null=True, help_text=_("Credits the plan gives a cycle.")
    )
    used = serializers.IntegerField(allow_null=True, help_text=_("Credits spent in the cycle."))
    adjusted = serializers.IntegerField(
        allow_null=True, help_text=_("Credits added (or taken away) by hand in the cycle.")
    )
    left = serializers.IntegerField(
        allow_null=True, help_text=_("Credits left in the cycle (below zero when over the limit).")
    )


class CreditEntrySerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditEntry
        fields = [
            "id",
            "kind",
            "delta",
            "ticket",
            "cycle_start",
            "cycle_end",
            "created_by",
            "reason",
            "created_at",
        ]
        read_only_fields = fields


class CreditAdjustmentSerializer(serializers.Serializer):
    delta = serializers.IntegerField(
        min_value=-1_000_000,
        max_value=1_000_000,
        help_text=_("Credits to add (positive) or take away (negative) in the current cycle."),
    )
    # Blank is the service's to refuse, with its message (``ADJUSTMENT_NEEDS_REASON``).
    reason = serializers.CharField(
        max_length=300, allow_blank=True, help_text=_("Why, for the ledger (required).")
    )


# --- tickets and replies -----------------------------------------------------------------------


class TicketSerializer(serializers.ModelSerializer):
    account = serializers.PrimaryKeyRelatedField(
        queryset=Account.objects.all(), help_text=_("The customer account.")
    )
    contact = serializers.PrimaryKeyRelatedField(
        queryset=Contact.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The account's contact who asked, if any."),
    )
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(), help_text=_("The department working the ticket.")
    )
    contract = VisiblePrimaryKeyField(
        queryset=Contract.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The contract the ticket follows (default: the account's matching contract)."),
    )
    assignee = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The agent working the ticket.")
    )

    class Meta:
        model = Ticket
        fields = [
            "id",
            "subject",
            "description",
            "account",
            "contact",
            "department",
            "product_name",
            "priority",
            "status",
            "assignee",
            "contract",
            "sla",
            "sla_exemption",
            "response_due_at",
            "resolution_due_at",
            "first_responded_at",
            "resolved_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "sla",
            "sla_exemption",
            "response_due_at",
            "resolution_due_at",
            "first_responded_at",
            "resolved_at",
            "created_at",
            "updated_at",
        ]


class TicketChangeSerializer(serializers.Serializer):
    """A change of status, priority, assignee or contract, as one change (each optional)."""

    status = serializers.ChoiceField(choices=Status.choices, required=False)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    assignee = user_field(
        required=False, allow_null=True, help_text=_("The agent to assign (null: nobody).")
    )
    contract = VisiblePrimaryKeyField(
        queryset=Contract.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The contract the ticket follows (null: none)."),
    )


class ReplySerializer(serializers.ModelSerializer):
    public = serializers.BooleanField(
        source="is_public",
        default=True,
        help_text=_("A public reply (emailed to the customer) or a private note."),
    )
    status = serializers.ChoiceField(
        choices=Status.choices,
        required=False,
        write_only=True,
        help_text=_("The status to set with the reply, as one change."),
    )

    class Meta:
        model = Reply
        fields = ["id", "author", "from_customer", "public", "body", "status", "created_at"]
        read_only_fields = ["author", "from_customer", "created_at"]
        # An empty text is the conversation's to refuse, with its message (``REPLY_EMPTY``).
        extra_kwargs = {"body": {"allow_blank": True}}


# --- tasks --------------------------------------------------------------------------------------


class TaskSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The department (default: the ticket's or the contract's)."),
    )
    ticket = VisiblePrimaryKeyField(queryset=Ticket.objects.all(), required=False, allow_null=True)
    contract = VisiblePrimaryKeyField(
        queryset=Contract.objects.all(), required=False, allow_null=True
    )
    assignee = user_field(
        required=False, allow_null=True, help_text=_("Who does it (null: nobody yet).")
    )

    class Meta:
        model = Task
        fields = [
            "id",
            "subject",
            "description",
            "department",
            "ticket",
            "contract",
            "assignee",
            "priority",
            "due_at",
            "done_at",
            "done_by",
            "created_by",
            "rule_name",
            "created_at",
        ]
        read_only_fields = ["done_at", "done_by", "created_by", "rule_name", "created_at"]
        # An empty subject is the service's to refuse, with its message (``TASK_SUBJECT_EMPTY``).
        extra_kwargs = {"subject": {"allow_blank": True}}


# --- errors (for the schema) --------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text=_("What went wrong, in the caller's language."))


class FieldErrorsSerializer(serializers.Serializer):
    """A refused request: each field's messages (``non_field_errors``: the request's own)."""

    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)

    def to_representation(self, instance):  # pragma: no cover - only describes the shape
        return instance
