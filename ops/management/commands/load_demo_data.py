"""Fill an empty database with a believable desk, and say how to sign in.

Everything is made the way a person would make it, through the services (SLAs, plans, contracts,
tickets: the same rules as on the pages), in one transaction. Rows that carry no rule (departments,
users, holidays, accounts, contacts) are created directly. Nothing here needs the test tools: a
production install can load the demo desk too.
"""

import datetime
import itertools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from automation.models import RAISE_PRIORITY, Module, Rule
from automation.services import rule_create, task_create, template_create
from contracts.services import contract_create
from customers.models import Account, Contact
from customers.services import contact_accept_invitation, contact_invite
from desk.choices import Priority, Status
from desk.models import Department, Preferences
from plans.models import SupportPlan
from plans.services import plan_create
from sla.models import SLA, Holiday, HolidayList
from sla.services import sla_create
from tickets.conversation import reply_add
from tickets.services import UNSET, ticket_create, ticket_update

# The demo desk's data in each language the desk speaks (--language).
DEMO = {
    "en": {
        "departments": ("Support", "Sales"),
        "users": (("Ada", "Admin"), ("Alex", "Agent"), ("Morgan", "Manager")),
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
        # The article's example: Amber Motors' time-limited contract and its open-ended one.
        "service_contract": "Amber Motors service and support",
        "open_ended_contract": "Amber Motors customer support and service",
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
        # The conversation on the invited customers' first tickets (SPEC section 9).
        "agent_reply": "Thank you for reporting this. We are looking into it and will update "
        "you within the day.",
        "private_note": "Same symptom as last month: check the gateway's logs first.",
        # Settings > Automation > Workflow rules (issue 18).
        "template_urgent": (
            "Urgent ticket under a plan",
            "Urgent: {ticket.number} {ticket.subject}",
            "{account.name} raised an urgent ticket under {plan.name} "
            "({credits.left} credits left this cycle).\n\n{ticket.link}",
        ),
        "rule_urgent": "Urgent tickets under a ticket-based plan",
        "template_low": (
            "Credits running low",
            "{account.name}: {credits.left} credit(s) left",
            "{contract.name} ({contract.number}) has {credits.left} of {credits.limit} credits "
            "left this cycle. Offer a top-up or a larger plan.\n\n{contract.link}",
        ),
        "rule_low": "Credits running low",
        "rule_renewal": "Renewal due within 30 days",
        "task_renewal": "Talk to the customer about renewing",
        "tasks": ("Call back about the sign-in", "Send the corrected invoice"),
        # Settings > Automation > Time-based rules (issue 19).
        "template_on_hold": (
            "On hold too long",
            "{ticket.number} has been on hold for two working days",
            "{ticket.subject} ({account.name}) has waited on hold for more than 48 business "
            "hours: its priority was raised.\n\n{ticket.link}",
        ),
        "rule_on_hold": "On hold for more than 48 hours",
        "customer_reply": "Thank you. It happens mostly in the morning, if that helps.",
        # Contacts: (name, email name) pairs, combined two per account (see _contacts).
        "given_names": [
            ("Olivia", "olivia"),
            ("Liam", "liam"),
            ("Emma", "emma"),
            ("Noah", "noah"),
            ("Sophia", "sophia"),
            ("James", "james"),
            ("Mia", "mia"),
            ("Lucas", "lucas"),
        ],
        "family_names": [
            ("Smith", "smith"),
            ("Johnson", "johnson"),
            ("Brown", "brown"),
            ("Garcia", "garcia"),
            ("Miller", "miller"),
            ("Davis", "davis"),
            ("Wilson", "wilson"),
            ("Taylor", "taylor"),
        ],
        "phone": "+1 202-555-01{number:02d}",  # 555-01xx: numbers kept for fiction
    },
    "zh-hans": {
        "departments": ("技术支持部", "销售部"),
        # get_full_name(): family name first
        "users": (("王安达", ""), ("李亚历", ""), ("张明远", "")),
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
        "service_contract": "Amber汽车服务与支持合同",
        "open_ended_contract": "Amber汽车客户支持与服务合同",
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
        "agent_reply": "感谢您的反馈。我们正在处理，今天内会向您更新进展。",
        "private_note": "与上个月的症状相同：先查看网关日志。",
        "template_urgent": (
            "套餐下的紧急工单",
            "紧急：{ticket.number} {ticket.subject}",
            "{account.name} 在 {plan.name} 下提交了紧急工单"
            "（本周期剩余 {credits.left} 个信用点数）。\n\n{ticket.link}",
        ),
        "rule_urgent": "按工单计费套餐下的紧急工单",
        "template_low": (
            "信用点数即将用完",
            "{account.name}：剩余 {credits.left} 个信用点数",
            "{contract.name}（{contract.number}）本周期剩余 "
            "{credits.left}/{credits.limit} 个信用点数。可建议充值或升级套餐。\n\n{contract.link}",
        ),
        "rule_low": "信用点数即将用完",
        "rule_renewal": "30 天内到期需续约",
        "task_renewal": "与客户沟通续约",
        "tasks": ("回电说明登录问题", "发送更正后的发票"),
        "template_on_hold": (
            "暂停时间过长",
            "{ticket.number} 已暂停两个工作日",
            "{ticket.subject}（{account.name}）已暂停超过 48 个工作小时，优先级已提高。"
            "\n\n{ticket.link}",
        ),
        "rule_on_hold": "暂停超过 48 小时",
        "customer_reply": "谢谢。问题主要出现在早上，供参考。",
        "given_names": [
            ("秀英", "xiuying"),
            ("伟", "wei"),
            ("芳", "fang"),
            ("磊", "lei"),
            ("静", "jing"),
            ("洋", "yang"),
            ("敏", "min"),
            ("军", "jun"),
        ],
        "family_names": [
            ("王", "wang"),
            ("李", "li"),
            ("张", "zhang"),
            ("刘", "liu"),
            ("陈", "chen"),
            ("杨", "yang"),
            ("赵", "zhao"),
            ("黄", "huang"),
        ],
        "phone": "+86 10 5555 01{number:02d}",
    },
}
ACCOUNTS = DEMO["en"]["accounts"]
SUBJECTS = DEMO["en"]["subjects"]
# Response / resolution targets in minutes, per priority, of both demo SLAs.
TARGETS = {
    Priority.LOW: (8 * 60, 5 * 24 * 60),
    Priority.MEDIUM: (4 * 60, 3 * 24 * 60),
    Priority.HIGH: (60, 8 * 60),
    Priority.URGENT: (30, 4 * 60),
}
NINE_TO_SIX = [(day, datetime.time(9), datetime.time(18)) for day in range(5)]  # Monday–Friday
READY_GROUPS = ["Administrators", "Agents", "Contract managers"]
GROUPS_MISSING = (
    "The groups Administrators, Agents and Contract managers are missing: run `manage.py migrate` "
    "(they are made by the migrations desk 0002_groups and 0005_contract_managers)."
)


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
                load(password=password, language=language)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            "Sign in at /accounts/login/ as\n"
            f"  admin / {password}   (administrator: settings, contracts, back office)\n"
            f"  agent / {password}   (agent in the Support department)\n"
            f"  manager / {password}   (contract manager in the Support department)"
        )
        customers = Contact.objects.filter(user__is_active=True).select_related("account")
        if customers:
            self.stdout.write("Customers sign in at /help/sign-in/ as")
            for contact in customers.order_by("account__name"):
                role = (
                    "sees all the account's tickets" if contact.is_account_admin else "own tickets"
                )
                self.stdout.write(f"  {contact.email} / {password}   ({contact.account}: {role})")


def load(*, password: str, language: str = "en") -> None:
    """The demo desk in ``language``; the caller holds the transaction."""
    demo = DEMO[language]
    today = timezone.localdate()
    support = Department.objects.create(name=demo["departments"][0], contracts_enabled=True)
    Department.objects.create(name=demo["departments"][1], contracts_enabled=False)
    admin, agent, manager = _users(demo, password=password, department=support)
    if language != "en":
        Preferences.objects.bulk_create(
            Preferences(user=user, language=language) for user in (admin, agent, manager)
        )

    holidays = HolidayList.objects.create(name=demo["holiday_list"])
    for offset in (30, 120):
        Holiday.objects.create(
            holiday_list=holidays,
            date=today + datetime.timedelta(days=offset),
            name=demo["holiday"],
        )
    standard = sla_create(
        by=admin,
        department=support,
        name=demo["slas"][0],
        business_hours=SLA.BusinessHours.WEEKLY,
        time_zone="Asia/Shanghai",
        targets=TARGETS,
        periods=NINE_TO_SIX,
        holiday_list=holidays,
    )
    priority = sla_create(
        by=admin,
        department=support,
        name=demo["slas"][1],
        business_hours=SLA.BusinessHours.ALWAYS,
        time_zone="UTC",
        targets=TARGETS,
    )

    unlimited = plan_create(
        by=admin,
        department=support,
        name=demo["plans"][0],
        plan_type=SupportPlan.PlanType.UNLIMITED,
        sla=priority,
    )
    monthly, starter = (
        plan_create(
            by=admin,
            department=support,
            name=name,
            plan_type=SupportPlan.PlanType.TICKET_BASED,
            sla=standard,
            credit_cycle=SupportPlan.CreditCycle.MONTHLY,
            credit_limit=limit,
        )
        for name, limit in ((demo["plans"][1], 5), (demo["plans"][2], 3))
    )

    accounts = []
    for number, name in enumerate(demo["accounts"], start=1):
        account = Account.objects.create(name=name, phone=demo["phone"].format(number=number))
        _contacts(demo, account=account, first=2 * (number - 1))
        accounts.append(account)

    # The help centre (SPEC section 9): the first contact of Amber Motors (who sees all its
    # tickets) and of the second account, invited, with the demo password chosen.
    customers = {}
    for account, sees_all in ((accounts[0], True), (accounts[1], False)):
        contact = contact_invite(
            by=agent, contact=account.contacts.first(), is_account_admin=sees_all
        )
        contact_accept_invitation(by=contact.user, password=password)
        customers[account.pk] = contact

    _rules(demo, admin=admin, agent=agent, department=support)
    contract_numbers = (f"C-{n:05d}" for n in itertools.count(1))
    plans = [unlimited, monthly, starter]
    for i, account in enumerate(accounts):
        name = demo["contract"].format(account=account.name)
        contract_create(
            by=admin,
            owner=admin,
            name=demo["service_contract"] if i == 0 else name,
            contract_number=next(contract_numbers),
            account=account,
            start_date=today - datetime.timedelta(days=40 + i * 11),
            end_date=today + datetime.timedelta(days=20 + i * 45),
            support_plan=plans[i % 3],
            product_name=demo["products"][0],
            notify_users=[admin],
            notify_days_before=14,
        )
    contract_create(  # Amber Motors' earlier contract, over long before its current one began
        by=admin,
        owner=admin,
        name=demo["expired_contract"],
        contract_number=next(contract_numbers),
        account=accounts[0],
        start_date=today - datetime.timedelta(days=500),
        end_date=today - datetime.timedelta(days=136),
        support_plan=monthly,
    )
    contract_create(
        by=admin,
        owner=admin,
        name=demo["renewal"],
        contract_number=next(contract_numbers),
        account=accounts[1],
        start_date=today + datetime.timedelta(days=30),
        end_date=today + datetime.timedelta(days=395),
        support_plan=unlimited,
        product_name=demo["products"][1],
    )
    # Amber Motors' second contract, with no end date (SPEC section 6): on a plan whose SLA is
    # not that of its time-limited contract, begun after its expired one (same SLA) ended. It
    # covers another product, so the demo's tickets (for the first product) keep their contract.
    contract_create(
        by=admin,
        owner=admin,
        name=demo["open_ended_contract"],
        contract_number=next(contract_numbers),
        account=accounts[0],
        start_date=today - datetime.timedelta(days=100),
        end_date=None,
        support_plan=monthly,
        product_name=demo["products"][1],
    )

    statuses = list(Status.values)
    priorities = list(Priority.values)
    for i in range(40):
        account = accounts[i % len(accounts)]
        ticket = ticket_create(
            by=agent,
            subject=demo["subjects"][i % len(demo["subjects"])],
            account=account,
            department=support,
            priority=priorities[i % len(priorities)],
            contact=account.contacts.first(),
            product_name=demo["products"][0],
            description=demo["description"],
        )
        customer = customers.get(account.pk)
        if customer is not None and i < 2 * len(accounts):  # their first two tickets
            reply_add(by=agent, ticket=ticket, body=demo["agent_reply"])
            reply_add(by=agent, ticket=ticket, body=demo["private_note"], public=False)
            reply_add(by=customer.user, ticket=ticket, body=demo["customer_reply"])
        ticket_update(
            by=agent,
            ticket=ticket,
            status=statuses[i % len(statuses)],
            # Two tickets in three are the demo agent's; the rest wait for someone to take them.
            assignee=agent if i % 3 else UNSET,
        )
        if i < len(demo["tasks"]):  # the agent's own to-dos on the first tickets
            task_create(
                by=agent,
                subject=demo["tasks"][i],
                ticket=ticket,
                assignee=agent,
                due_at=timezone.now() + datetime.timedelta(days=i * 2 - 1),
            )


def _rules(demo, *, admin, agent, department: Department) -> None:
    """The article's examples of workflow rules, made before the demo's tickets so that the
    worker fires them on those tickets once ``make run`` starts: urgent tickets under a
    ticket-based plan go to the agent and alert the contract owner; a contract's owner hears
    once a cycle when its credits run low; a contract near its end gets a renewal task. And a
    time-based rule: a ticket on hold for more than 48 business hours is raised a priority."""
    urgent = template_create(
        by=admin,
        department=department,
        module=Module.TICKETS,
        **dict(zip(("name", "subject", "body"), demo["template_urgent"], strict=True)),
    )
    rule_create(
        by=admin,
        department=department,
        module=Module.TICKETS,
        name=demo["rule_urgent"],
        trigger=Rule.Trigger.CREATED,
        criteria=[
            {"field": "plan_type", "operator": "is", "value": SupportPlan.PlanType.TICKET_BASED},
            {"field": "priority", "operator": "is", "value": Priority.URGENT},
        ],
        set_assignee=agent,
        alert_template=urgent,
        alert_contract_owner=True,
    )
    low = template_create(
        by=admin,
        department=department,
        module=Module.CONTRACTS,
        **dict(zip(("name", "subject", "body"), demo["template_low"], strict=True)),
    )
    rule_create(
        by=admin,
        department=department,
        module=Module.CONTRACTS,
        name=demo["rule_low"],
        trigger=Rule.Trigger.CREDIT_CHANGED,
        criteria=[{"field": "credits_left", "operator": "lte", "value": 1}],
        alert_template=low,
        alert_contract_owner=True,
    )
    rule_create(
        by=admin,
        department=department,
        module=Module.CONTRACTS,
        name=demo["rule_renewal"],
        trigger=Rule.Trigger.CREATED_OR_EDITED,
        criteria=[{"field": "days_to_contract_end", "operator": "lte", "value": 30}],
        task_subject=demo["task_renewal"],
        task_due_in=7,
        task_due_unit=Rule.DueUnit.DAYS,
    )
    on_hold = template_create(
        by=admin,
        department=department,
        module=Module.TICKETS,
        **dict(zip(("name", "subject", "body"), demo["template_on_hold"], strict=True)),
    )
    rule_create(  # the article's time-based rule (SPEC section 11), run hourly by cron
        by=admin,
        department=department,
        module=Module.TICKETS,
        kind=Rule.Kind.TIME_BASED,
        name=demo["rule_on_hold"],
        time_field=Rule.TimeField.STATUS_CHANGED,
        time_operator=Rule.TimeOperator.GREATER,
        time_hours=48,
        business_hours=True,
        criteria=[{"field": "status", "operator": "is", "value": Status.ON_HOLD}],
        set_priority=RAISE_PRIORITY,
        alert_template=on_hold,
        alert_assignee=True,
    )


def _users(demo, *, password: str, department: Department):
    """The demo administrator, agent and contract manager, in their ready groups and in
    ``department``."""
    groups = {g.name: g for g in Group.objects.filter(name__in=READY_GROUPS)}
    if len(groups) != len(READY_GROUPS):
        raise CommandError(GROUPS_MISSING)
    User = get_user_model()
    people = []
    roles = (("admin", "Administrators"), ("agent", "Agents"), ("manager", "Contract managers"))
    for (first_name, last_name), (username, group) in zip(demo["users"], roles, strict=True):
        create = User.objects.create_superuser if username == "admin" else User.objects.create_user
        person = create(
            username=username,
            email=f"{username}@example.com",
            password=password,
            first_name=first_name,
            last_name=last_name,
        )
        person.groups.add(groups[group])
        people.append(person)
    department.members.add(*people)
    admin, agent, manager = people
    return admin, agent, manager


def _contacts(demo, *, account: Account, first: int) -> None:
    """Two contacts of ``account``, the ``first``-th and the next: the k-th contact pairs given
    name k with family name k, then (past the end of the list) with the next one, so that no two
    of the demo's contacts share a name."""
    given, family = demo["given_names"], demo["family_names"]
    for k in (first, first + 1):
        (given_name, given_mail), (family_name, family_mail) = (
            given[k % len(given)],
            family[(k + k // len(given)) % len(family)],
        )
        Contact.objects.create(
            account=account,
            first_name=given_name,
            last_name=family_name,
            email=f"{given_mail}.{family_mail}@example.com",
        )
