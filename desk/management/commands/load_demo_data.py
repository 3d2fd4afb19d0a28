"""Fill an empty database with a believable desk, and say how to sign in."""

import datetime

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from desk.models import Department, Preferences
from sla.models import Holiday, HolidayList, WorkingPeriod
from tickets import services as ticket_services
from tickets.choices import Priority, Status

# The demo desk's data in each language the desk speaks (--language).
DEMO = {
    "en": {
        "departments": ("Support", "Sales"),
        "users": (("Ada", "Admin"), ("Alex", "Agent")),
        "holiday_list": "Public holidays",
        "holiday": "Public holiday",
        "slas": ("Standard support", "Priority support"),
        "plans": ("Premium (unlimited)", "Standard 5 / month", "Starter 3 / month"),
        "accounts": [
            "Amber Motors",
            "Blue Harbor Logistics",
            "Cedar Health",
            "Delta Foods",
            "Evergreen Schools",
            "Falcon Airlines",
            "Granite Bank",
            "Horizon Telecom",
        ],
        "contract": "{account} support",
        "expired_contract": "Amber Motors 2025",
        "renewal": "Renewal",
        "products": ("Desk", "Fleet"),
        "subjects": [
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
        ],
        "description": "Reported by the customer by email.",
        "faker_locale": "en_US",
    },
    "zh-hans": {
        "departments": ("技术支持部", "销售部"),
        "users": (("王安达", ""), ("李亚历", "")),  # get_full_name(): family name first
        "holiday_list": "法定节假日",
        "holiday": "法定节假日",
        "slas": ("标准支持", "优先支持"),
        "plans": ("高级版（无限）", "标准版 每月 5 个工单", "入门版 每月 3 个工单"),
        "accounts": [
            "Amber汽车",
            "蓝港物流",
            "雪松医疗",
            "三角洲食品",
            "常青学校",
            "猎鹰航空",
            "花岗岩银行",
            "地平线电信",
        ],
        "contract": "{account}技术支持合同",
        "expired_contract": "Amber汽车 2025 年合同",
        "renewal": "续约合同",
        "products": ("服务台", "车队管理"),
        "subjects": [
            "无法登录门户网站",
            "发票金额有误",
            "打印机又离线了",
            "数据导出超时",
            "申请新的用户账号",
            "仪表板出现 500 错误",
            "如何重置密码？",
            "VPN 每小时断开一次",
            "报表缺少三月份数据",
            "升级到最新版本",
        ],
        "description": "客户通过电子邮件报告。",
        "faker_locale": "zh_CN",
    },
}
ACCOUNTS = DEMO["en"]["accounts"]
SUBJECTS = DEMO["en"]["subjects"]


class Command(BaseCommand):
    help = "Load demo data into an empty database (does nothing if the desk already has data)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo", help="Password of the demo users.")
        parser.add_argument(
            "--language",
            choices=sorted(DEMO),
            default="en",
            help="Language of the demo data (names, subjects); zh-hans also sets the demo "
            "users' language.",
        )

    def handle(self, *args, password, language="en", **options):
        if Department.objects.exists():
            self.stdout.write("The database already has data; demo data not loaded.")
        else:
            with transaction.atomic():
                self._load(password, language)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            "Sign in at /accounts/login/ as\n"
            f"  admin / {password}   (administrator: settings, contracts, back office)\n"
            f"  agent / {password}   (agent in the Support department)"
        )

    def _load(self, password, language="en"):
        from factory import Faker

        with Faker.override_default_locale(DEMO[language]["faker_locale"]):
            self._load_in(password, language)

    def _load_in(self, password, language):
        from tests import factories as f

        demo = DEMO[language]
        today = timezone.localdate()
        support = f.DepartmentFactory(name=demo["departments"][0], contracts_enabled=True)
        f.DepartmentFactory(name=demo["departments"][1], contracts_enabled=False)
        admin = f.AdministratorFactory(
            username="admin",
            first_name=demo["users"][0][0],
            last_name=demo["users"][0][1],
            is_staff=True,
            is_superuser=True,
            password=password,
            departments=[support],
        )
        agent = f.AgentFactory(
            username="agent",
            first_name=demo["users"][1][0],
            last_name=demo["users"][1][1],
            password=password,
            departments=[support],
        )
        get_user_model().objects.filter(pk=agent.pk).update(email="agent@example.com")
        if language != "en":
            Preferences.objects.bulk_create(
                Preferences(user=user, language=language) for user in (admin, agent)
            )

        holidays = HolidayList.objects.create(name=demo["holiday_list"])
        for offset in (30, 120):
            Holiday.objects.create(
                holiday_list=holidays,
                date=today + datetime.timedelta(days=offset),
                name=demo["holiday"],
            )
        standard = f.SLAFactory(
            department=support,
            name=demo["slas"][0],
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
        priority = f.SLAFactory(department=support, name=demo["slas"][1])

        unlimited = f.SupportPlanFactory(department=support, name=demo["plans"][0], sla=priority)
        monthly = f.SupportPlanFactory(
            department=support,
            name=demo["plans"][1],
            sla=standard,
            ticket_based=True,
            credit_limit=5,
        )
        starter = f.SupportPlanFactory(
            department=support,
            name=demo["plans"][2],
            sla=standard,
            ticket_based=True,
            credit_limit=3,
        )

        accounts = []
        for name in demo["accounts"]:
            account = f.AccountFactory(name=name)
            f.ContactFactory.create_batch(2, account=account)
            accounts.append(account)

        plans = [unlimited, monthly, starter]
        for i, account in enumerate(accounts):
            f.ContractFactory(
                account=account,
                owner=admin,
                support_plan=plans[i % 3],
                name=demo["contract"].format(account=account.name),
                product_name=demo["products"][0],
                start_date=today - datetime.timedelta(days=40 + i * 11),
                end_date=today + datetime.timedelta(days=20 + i * 45),
                notify_days_before=14,
            ).notify_users.set([admin])
        f.ContractFactory(
            account=accounts[0],
            owner=admin,
            support_plan=monthly,
            name=demo["expired_contract"],
            start_date=today - datetime.timedelta(days=500),
            end_date=today - datetime.timedelta(days=136),
        )
        f.ContractFactory(
            account=accounts[1],
            owner=admin,
            support_plan=unlimited,
            name=demo["renewal"],
            product_name=demo["products"][1],
            start_date=today + datetime.timedelta(days=30),
            end_date=today + datetime.timedelta(days=395),
        )

        statuses = list(Status.values)
        for i in range(40):
            account = accounts[i % len(accounts)]
            ticket = ticket_services.ticket_create(
                by=agent,
                subject=demo["subjects"][i % len(demo["subjects"])],
                account=account,
                department=support,
                priority=list(Priority.values)[i % 4],
                contact=account.contacts.first(),
                product_name=demo["products"][0],
                description=demo["description"],
            )
            if i % 3:  # two tickets in three are the demo agent's; the rest wait for someone
                ticket.assignee = agent
                ticket.save(update_fields=["assignee", "updated_at"])
            ticket_services.ticket_change_status(ticket=ticket, status=statuses[i % len(statuses)])
