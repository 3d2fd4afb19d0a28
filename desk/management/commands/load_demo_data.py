"""Fill an empty database with a believable desk, and say how to sign in."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from desk.models import Department
from sla.models import Holiday, HolidayList, WorkingPeriod
from tickets import services as ticket_services
from tickets.choices import Priority, Status

ACCOUNTS = [
    "Amber Motors",
    "Blue Harbor Logistics",
    "Cedar Health",
    "Delta Foods",
    "Evergreen Schools",
    "Falcon Airlines",
    "Granite Bank",
    "Horizon Telecom",
]
SUBJECTS = [
    "Cannot sign in to the portal",
    "Invoice shows the wrong amount",
    "Printer offline again",
    "Data export times out",
    "Request for a new user account",
    "Error 500 on the dashboard",
    "How do I reset my password?",
    "VPN disconnects every hour",
    "Report is missing March",
    "Upgrade to the latest version",
]


class Command(BaseCommand):
    help = "Load demo data into an empty database (does nothing if the desk already has data)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo", help="Password of the demo users.")

    def handle(self, *args, password, **options):
        if Department.objects.exists():
            self.stdout.write("The database already has data; demo data not loaded.")
        else:
            with transaction.atomic():
                self._load(password)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            "Sign in at /accounts/login/ as\n"
            f"  admin / {password}   (administrator: settings, contracts, back office)\n"
            f"  agent / {password}   (agent in the Support department)"
        )

    def _load(self, password):
        from tests import factories as f

        today = timezone.localdate()
        support = f.DepartmentFactory(name="Support", contracts_enabled=True)
        f.DepartmentFactory(name="Sales", contracts_enabled=False)
        admin = f.AdministratorFactory(
            username="admin",
            first_name="Ada",
            last_name="Admin",
            is_staff=True,
            is_superuser=True,
            password=password,
            departments=[support],
        )
        agent = f.AgentFactory(
            username="agent",
            first_name="Alex",
            last_name="Agent",
            password=password,
            departments=[support],
        )
        get_user_model().objects.filter(pk=agent.pk).update(email="agent@example.com")

        holidays = HolidayList.objects.create(name="Public holidays")
        for offset in (30, 120):
            Holiday.objects.create(
                holiday_list=holidays,
                date=today + datetime.timedelta(days=offset),
                name="Public holiday",
            )
        standard = f.SLAFactory(
            department=support,
            name="Standard support",
            time_zone="Asia/Shanghai",
            business_hours="weekly",
            holiday_list=holidays,
        )
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(
                sla=standard, weekday=day, start_time=datetime.time(9), end_time=datetime.time(18)
            )
            for day in range(5)
        )
        priority = f.SLAFactory(department=support, name="Priority support")

        unlimited = f.SupportPlanFactory(
            department=support, name="Premium (unlimited)", sla=priority
        )
        monthly = f.SupportPlanFactory(
            department=support,
            name="Standard 5 / month",
            sla=standard,
            ticket_based=True,
            credit_limit=5,
        )
        starter = f.SupportPlanFactory(
            department=support,
            name="Starter 3 / month",
            sla=standard,
            ticket_based=True,
            credit_limit=3,
        )

        accounts = []
        for name in ACCOUNTS:
            account = f.AccountFactory(name=name)
            f.ContactFactory.create_batch(2, account=account)
            accounts.append(account)

        plans = [unlimited, monthly, starter]
        for i, account in enumerate(accounts):
            f.ContractFactory(
                account=account,
                owner=admin,
                support_plan=plans[i % 3],
                name=f"{account.name} support",
                product_name="Desk",
                start_date=today - datetime.timedelta(days=40 + i * 11),
                end_date=today + datetime.timedelta(days=20 + i * 45),
                notify_days_before=14,
            ).notify_users.set([admin])
        f.ContractFactory(
            account=accounts[0],
            owner=admin,
            support_plan=monthly,
            name="Amber Motors 2025",
            start_date=today - datetime.timedelta(days=500),
            end_date=today - datetime.timedelta(days=136),
        )
        f.ContractFactory(
            account=accounts[1],
            owner=admin,
            support_plan=unlimited,
            name="Renewal",
            product_name="Fleet",
            start_date=today + datetime.timedelta(days=30),
            end_date=today + datetime.timedelta(days=395),
        )

        statuses = list(Status.values)
        for i in range(40):
            account = accounts[i % len(accounts)]
            ticket = ticket_services.ticket_create(
                by=agent,
                subject=SUBJECTS[i % len(SUBJECTS)],
                account=account,
                department=support,
                priority=list(Priority.values)[i % 4],
                contact=account.contacts.first(),
                product_name="Desk",
                description="Reported by the customer by email.",
            )
            ticket_services.ticket_change_status(ticket=ticket, status=statuses[i % len(statuses)])
