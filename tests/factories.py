"""factory-boy factories, valid by default. Used by the tests and by the demo data command."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from contracts.models import Contract
from customers.models import Account, Contact
from desk.choices import Priority
from desk.models import Department
from plans.models import SupportPlan
from sla.models import SLA, SLATarget
from tickets.models import Ticket

# Response / resolution targets in minutes, per priority.
DEFAULT_TARGETS = {
    Priority.LOW: (8 * 60, 5 * 24 * 60),
    Priority.MEDIUM: (4 * 60, 3 * 24 * 60),
    Priority.HIGH: (60, 8 * 60),
    Priority.URGENT: (30, 4 * 60),
}


def _groups(default: tuple[str, ...]):
    """A post-generation hook adding the user to groups by name (``groups=[...]`` overrides)."""

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        names = default if extracted is None else extracted
        if create and names:
            self.groups.add(*Group.objects.filter(name__in=names))

    return groups


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password("password")

    groups = _groups(())

    @factory.post_generation
    def departments(self, create, extracted, **kwargs):
        if create and extracted:
            self.departments.add(*extracted)


class AgentFactory(UserFactory):
    groups = _groups(("Agents",))


class AdministratorFactory(UserFactory):
    groups = _groups(("Administrators",))


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Department {n}")
    contracts_enabled = True


class SLAFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SLA
        skip_postgeneration_save = True

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"SLA {n}")
    time_zone = "UTC"

    @factory.post_generation
    def targets(self, create, extracted, **kwargs):
        if not create:
            return
        targets = DEFAULT_TARGETS if extracted is None else extracted
        SLATarget.objects.bulk_create(
            SLATarget(sla=self, priority=priority, response_minutes=r, resolution_minutes=s)
            for priority, (r, s) in targets.items()
        )


class SupportPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupportPlan

    department = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"Plan {n}")
    plan_type = SupportPlan.PlanType.UNLIMITED
    credit_cycle = ""
    credit_limit = None
    sla = factory.SubFactory(SLAFactory, department=factory.SelfAttribute("..department"))

    class Params:
        ticket_based = factory.Trait(
            plan_type=SupportPlan.PlanType.TICKET_BASED,
            credit_cycle=SupportPlan.CreditCycle.MONTHLY,
            credit_limit=3,
        )


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Faker("company")
    phone = factory.Faker("phone_number")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Faker("email")


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contract

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Support contract {n}")
    contract_number = factory.Sequence(lambda n: f"C-{n:05d}")
    product_name = ""
    account = factory.SubFactory(AccountFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    end_date = factory.LazyAttribute(lambda c: c.start_date + datetime.timedelta(days=364))
    support_plan = factory.SubFactory(SupportPlanFactory)


class TicketFactory(factory.django.DjangoModelFactory):
    """A ticket saved directly (no contract lookup); use tickets.services.ticket_create for that."""

    class Meta:
        model = Ticket

    subject = factory.Faker("sentence", nb_words=6)
    account = factory.SubFactory(AccountFactory)
    department = factory.SubFactory(DepartmentFactory)
    priority = Priority.MEDIUM


def desk_admin():
    """An administrator of every department: the actor of tests whose subject is not who acts."""
    # A superuser, not the Administrators group: transactional tests flush the group's rows.
    return UserFactory(username="desk-admin", is_superuser=True, is_staff=True)


def customer_of(contact: Contact, *, is_account_admin: bool = False, **user_fields):
    """``contact`` as a signed-up help-centre customer: an active user of its own, no permission,
    not staff (as an accepted invitation leaves it; ``customers.services.contact_invite`` is the
    door that tests of the invitation itself go through). Returns the user."""
    user = UserFactory(
        username=user_fields.pop("username", (contact.email or f"contact{contact.pk}").lower()),
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        **user_fields,
    )
    contact.user = user
    contact.is_account_admin = is_account_admin
    contact.invited_at = timezone.now()
    contact.save(update_fields=["user", "is_account_admin", "invited_at"])
    return user
