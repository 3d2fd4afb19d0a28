"""Build a synthetic desk of any size with bulk inserts.

Everything is inserted in bulk (COPY on PostgreSQL, ``bulk_create`` elsewhere), inside one
transaction, from a seeded random generator, so two runs of the same size build the same desk. No
signal fires (bulk inserts send none), so the credit ledger and the history tables are written here
directly, in the shape the services would have written them:

- every ticket under a contract that is resolved holds exactly one spent credit; its ledger rows
  alternate spend (delta -1, even ``ticket_seq``) and refund (+1, odd), and the last one is a spend
  exactly when the ticket is resolved (the ledger's CHECK and UNIQUE constraints hold);
- adjustments carry no ticket and a reason;
- each ticket has a "created" history row and one "changed" row per status change;
- every escalation level whose time came more than ``ESCALATED_BEFORE`` ago, while the ticket's
  SLA clock ran (before it was resolved, put on hold or, for a response level, answered), has its
  ``EscalationFiring`` row, as a desk running the escalations every minute would have: the
  benchmark's next run then times a steady-state minute, and its first run the backlog of the last
  ``ESCALATED_BEFORE``. (The firing rows stand for escalations already done: the synthetic tickets
  keep their priority and assignee, and get no history row for them.)
- tickets have conversations: public replies of their agents and customers, and private notes;
- one large account (``BIG_ACCOUNT_SHARE`` of the tickets) holds contracts like the article's
  Amber Motors (a time-limited ticket-based one and an open-ended unlimited one) and a help-centre
  customer, its account administrator, for the help centre's pages; one of its tickets has a long
  conversation (``LONG_CONVERSATION`` public replies and a third as many private notes).
"""

import bisect
import contextlib
import dataclasses
import datetime
import random
import resource
import time
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from automation import receivers
from automation.models import RAISE_PRIORITY, EmailTemplate, Firing, Module, Rule, Task
from contracts import usage
from contracts.cycles import cycle_containing
from contracts.models import Contract, CreditEntry
from customers.models import Account, Contact
from desk.choices import Priority, Status
from desk.models import Department
from plans.models import SupportPlan
from sla.models import SLA, EscalationLevel, SLATarget, WorkingPeriod
from tickets.models import EscalationFiring, Reply, Ticket

BATCH = 2000
# Escalations due longer ago than this have fired already (the desk runs them every minute).
ESCALATED_BEFORE = datetime.timedelta(hours=1)
SEED = 7
TARGETS = {  # response, resolution (minutes)
    Priority.LOW: (8 * 60, 5 * 24 * 60),
    Priority.MEDIUM: (4 * 60, 3 * 24 * 60),
    Priority.HIGH: (60, 8 * 60),
    Priority.URGENT: (30, 4 * 60),
}
PRIORITY_WEIGHTS = [
    (Priority.LOW, 30),
    (Priority.MEDIUM, 45),
    (Priority.HIGH, 20),
    (Priority.URGENT, 5),
]
RECENT_STATUSES = [
    (Status.OPEN, 30),
    (Status.IN_PROGRESS, 20),
    (Status.ON_HOLD, 5),
    (Status.WAITING_ON_CUSTOMER, 5),
    (Status.RESOLVED, 30),
    (Status.CLOSED, 10),
]
OLD_STATUSES = [
    (Status.OPEN, 2),
    (Status.IN_PROGRESS, 1),
    (Status.RESOLVED, 30),
    (Status.CLOSED, 67),
]
# Ticket text, so that the search page meets the mix it meets in life: a help desk's usual
# subjects, a quarter of them in Chinese, each word shared by a few percent of the tickets
# (not every ticket, nor none), and descriptions with a reference of their own.
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
    "Email not syncing on the phone",
    "Slow network in the office",
    "License renewal question",
    "Backup did not run last night",
    "Screen flickers after the update",
    "Refund for a duplicate payment",
    "Mobile app crashes on start",
    "Two-factor code never arrives",
    "Shared drive is full",
    "Calendar invitations go missing",
]
SUBJECTS_ZH = [
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
]
DESCRIPTIONS = [
    "Reported by the customer by email.",
    "The customer called the hotline; screenshots attached.",
    "Happens to several users since Monday morning.",
    "Only one laptop is affected, the others work.",
    "The customer asks for an answer before the end of the week.",
]
DESCRIPTIONS_ZH = [
    "客户通过电子邮件报告。",
    "客户致电热线，附有截图。",
    "自周一上午起多位用户受到影响。",
]
ZH_SHARE = 0.25
# The help centre's large account: its share of the tickets (2,000 of 100,000).
BIG_ACCOUNT_SHARE = 0.02
LONG_CONVERSATION = 30
REPLIES = [
    "Thank you, we are looking into it.",
    "Could you send a screenshot of the error?",
    "Here it is, attached to the email.",
    "It works again, thanks.",
    "We restarted the service: please try again.",
    "已收到，我们正在处理。",
]
NOTES = [
    "Checked the logs: nothing unusual.",
    "Customer called twice about this.",
    "Escalated to the second line.",
]
PLAN_SHAPES = [  # name, plan type, cycle, limit
    ("Premium unlimited", "unlimited", "", None),
    ("Enterprise unlimited", "unlimited", "", None),
    ("Basic 5 / week", "ticket_based", "weekly", 5),
    ("Standard 20 / month", "ticket_based", "monthly", 20),
    ("Business 50 / quarter", "ticket_based", "quarterly", 50),
    ("Starter 50 / year", "ticket_based", "yearly", 50),
]


@dataclass(frozen=True)
class Sizes:
    tickets: int = 100_000
    accounts: int = 5_000
    contracts: int = 10_000
    ledger: int = 300_000

    @classmethod
    def add_arguments(cls, parser) -> None:
        """``--tickets``, ``--accounts``, ``--contracts`` and ``--ledger`` of a command."""
        for name, default in dataclasses.asdict(cls()).items():
            parser.add_argument(f"--{name}", type=int, default=default)

    @classmethod
    def from_options(cls, options) -> "Sizes":
        return cls(**{name: options[name] for name in dataclasses.asdict(cls())})

    def times(self, factor: int) -> "Sizes":
        return Sizes(**{name: n * factor for name, n in dataclasses.asdict(self).items()})


@dataclass
class Desk:
    """Handles on the built desk that the measurements need."""

    administrator: object
    agent: object
    customer: object = None  # the large account's help-centre user (its account administrator)
    big_account: object = None
    rule: object = None  # a workflow rule with a long log
    counts: dict = field(default_factory=dict)
    seconds: float = 0.0
    phases: dict = field(default_factory=dict)


@contextlib.contextmanager
def _stored_timestamps(*models):
    """Let bulk inserts keep the timestamps we give instead of auto_now/auto_now_add."""
    saved = []
    for model in models:
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                saved.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _history_rows(model, instances, *, when, kind="+", user_id=None, **overrides):
    """Rows of ``model``'s simple_history table, as simple_history would have written them."""
    history = model.history.model
    names = [f.attname for f in history._meta.concrete_fields if f.attname != "history_id"]
    own = {f.attname for f in model._meta.concrete_fields}
    rows = []
    for obj in instances:
        values = {name: getattr(obj, name) for name in names if name in own}
        values.update(overrides)
        rows.append(
            history(
                **values,
                history_date=when(obj),
                history_type=kind,
                history_user_id=user_id,
                history_change_reason=None,
            )
        )
    return rows


def insert(model, objs) -> list:
    """Insert ``objs`` fast: COPY on PostgreSQL (ids assigned here), ``bulk_create`` elsewhere.

    ``bulk_create`` spends most of its time preparing values in Python; COPY takes the rows as
    they are, which makes the 100,000-ticket desk build in well under the 3-minute target.
    """
    objs = list(objs)
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=BATCH)
    meta = model._meta
    table, pk = meta.db_table, meta.pk
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({qn(pk.column)}), 0) FROM {qn(table)}")
        next_id = cursor.fetchone()[0]
        for obj in objs:
            if obj.pk is None:
                next_id += 1
                obj.pk = next_id
            obj._state.adding = False
        fields = meta.concrete_fields
        columns = ", ".join(qn(f.column) for f in fields)
        attnames = [f.attname for f in fields]
        with cursor.cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([getattr(obj, name) for name in attnames])
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), %s)", [table, pk.column, next_id]
        )
    return objs


@contextlib.contextmanager
def _checked_and_indexed_after(*tables: str):
    """Drop the ``tables``' foreign keys and their indexes other than their constraints', and
    make them again after the block, in the order given (PostgreSQL): each foreign key is then
    checked by one join and each index built by one sort of the loaded rows, rather than a
    trigger and an insertion a row. Elsewhere the block runs as it is."""
    if connection.vendor != "postgresql":
        yield
        return
    qn = connection.ops.quote_name

    def check_pending(cursor):
        # Altering a foreign key alters the table it refers to too: no table may have deferred
        # checks pending then, so the rows loaded before are checked now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    dropped = []  # (table, its foreign keys, its indexes)
    with connection.cursor() as cursor:
        check_pending(cursor)
        for table in tables:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [table],
            )
            foreign_keys = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
                "AND tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [table, table],
            )
            indexes = cursor.fetchall()
            for name, _definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {qn(name)}")
            dropped.append((table, foreign_keys, indexes))
    yield
    with connection.cursor() as cursor:
        check_pending(cursor)
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for table, foreign_keys, indexes in dropped:
            for name, definition in foreign_keys:
                cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
            for _name, definition in indexes:
                cursor.execute(definition)


def insert_dicts(model, rows, *, with_pk=False, checked_after=True) -> None:
    """Insert plain dicts (attname -> value), from a list or as a generator makes them; the
    fastest path for the biggest tables. On PostgreSQL, a COPY into the table with its foreign
    keys and indexes made after (``checked_after``; else the caller's block makes them).

    With ``with_pk`` the rows carry their ids (into an empty table) and the sequence follows.
    """
    if connection.vendor != "postgresql":
        model.objects.bulk_create((model(**row) for row in rows), batch_size=BATCH)
        return
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    qn = connection.ops.quote_name
    table = model._meta.db_table
    columns = ", ".join(qn(f.column) for f in fields)
    attnames = [f.attname for f in fields]
    sql = f"COPY {qn(table)} ({columns}) FROM STDIN"
    last_id = 0
    with (
        _checked_and_indexed_after(table) if checked_after else contextlib.nullcontext(),
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row([row.get(name) for name in attnames])
            if with_pk:
                last_id = max(last_id, row["id"])
    if with_pk and last_id:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                [table, model._meta.pk.column, last_id],
            )


class Builder:
    def __init__(self, sizes: Sizes, *, log=print):
        self.sizes = sizes
        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.zone = timezone.get_current_timezone()
        # Each contract's credit cycles found so far: their first days, and the cycles (``_cycle``).
        self.cycles: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
        self.log = log
        self.phases: dict[str, float] = {}

    def _phase(self, name, started):
        self.phases[name] = round(time.perf_counter() - started, 2)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # kB on Linux
        self.log(f"  {name}: {self.phases[name]:.1f} s (the process's peak so far: {peak:,} MB)")

    def build(self) -> Desk:
        started = time.perf_counter()
        stored = (Ticket, Contract, Account, SupportPlan, SLA, EscalationFiring, Reply)
        with transaction.atomic(), _stored_timestamps(*stored):
            t = time.perf_counter()
            self._people_and_settings()
            self._phase("departments, users, SLAs, plans", t)
            t = time.perf_counter()
            self._accounts()
            self._phase("accounts and contacts", t)
            t = time.perf_counter()
            self._contracts()
            self._phase("contracts", t)
            t = time.perf_counter()
            self._tickets()
            self._phase("tickets (made)", t)
            t = time.perf_counter()
            self._conversations()
            self._phase("tickets and their conversations (written)", t)
            t = time.perf_counter()
            self._escalations()
            self._phase("escalations already fired", t)
            t = time.perf_counter()
            self._ledger_and_history()
            self._phase("credit ledger and history", t)
            t = time.perf_counter()
            self._automation()
            self._phase("workflow rules, their log, tasks", t)
        t = time.perf_counter()
        with connection.cursor() as cursor:
            # What autovacuum does to a live desk after bulk loads: planner statistics, and the
            # visibility map that lets COUNT(*) and id-only pagination use index-only scans.
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
            if connection.vendor == "postgresql":
                # The load's dirty pages written now, not by a checkpoint spread over the first
                # pages timed (at a million tickets it wrote for 100 s after the build). Needs a
                # superuser or pg_checkpoint; without, the pages are timed as they come.
                with contextlib.suppress(DatabaseError):
                    cursor.execute("CHECKPOINT")
        self._phase("vacuum analyze, checkpoint", t)
        return Desk(
            administrator=self.administrator,
            agent=self.agent,
            customer=self.customer,
            big_account=self.big_account,
            rule=self.rule,
            counts=self._counts(),
            seconds=round(time.perf_counter() - started, 1),
            phases=self.phases,
        )

    def _counts(self):
        return {
            "departments": Department.objects.count(),
            "users": get_user_model().objects.count(),
            "slas": SLA.objects.count(),
            "plans": SupportPlan.objects.count(),
            "accounts": Account.objects.count(),
            "contacts": Contact.objects.count(),
            "contracts": Contract.objects.count(),
            "tickets": Ticket.objects.count(),
            "ledger": CreditEntry.objects.count(),
            "ticket_history": Ticket.history.model.objects.count(),
            "escalation_firings": EscalationFiring.objects.count(),
            "replies": Reply.objects.count(),
            "workflow_rules": Rule.objects.count(),
            "rule_firings": Firing.objects.count(),
            "tasks": Task.objects.count(),
        }

    # -- people, SLAs and plans ------------------------------------------------------------------

    def _people_and_settings(self):
        User = get_user_model()
        self.departments = Department.objects.bulk_create(
            [
                Department(name="Support", contracts_enabled=True),
                Department(name="Hardware", contracts_enabled=True),
                Department(name="Billing", contracts_enabled=True),
                Department(name="Sales", contracts_enabled=False),
            ]
        )
        self.enabled = [d for d in self.departments if d.contracts_enabled]
        password = "!"  # unusable: the benchmark signs in with force_login
        self.administrator = User.objects.create(
            username="bench-admin", first_name="Ada", last_name="Admin", password=password
        )
        self.agent = User.objects.create(
            username="bench-agent", first_name="Alex", last_name="Agent", password=password
        )
        agents = User.objects.bulk_create(
            User(username=f"agent{i}", first_name="Agent", last_name=str(i), password=password)
            for i in range(40)
        )
        groups = {g.name: g for g in Group.objects.filter(name__in=["Administrators", "Agents"])}
        Membership = User.groups.through
        Membership.objects.bulk_create(
            [Membership(user_id=self.administrator.pk, group_id=groups["Administrators"].pk)]
            + [
                Membership(user_id=u.pk, group_id=groups["Agents"].pk)
                for u in [self.agent, *agents]
            ]
        )
        Members = Department.members.through
        self.agents_by_dept = defaultdict(list)
        rows = [
            Members(department_id=d.pk, user_id=self.administrator.pk) for d in self.departments
        ]
        rows.append(Members(department_id=self.departments[0].pk, user_id=self.agent.pk))
        self.agents_by_dept[self.departments[0].pk].append(self.agent.pk)
        for i, user in enumerate(agents):
            dept = self.departments[i % len(self.departments)]
            rows.append(Members(department_id=dept.pk, user_id=user.pk))
            self.agents_by_dept[dept.pk].append(user.pk)
        Members.objects.bulk_create(rows)

        slas = []
        for dept in self.departments:
            for name, hours in (("Gold", "24x7"), ("Silver", "weekly"), ("Bronze", "weekly")):
                slas.append(
                    SLA(
                        department=dept,
                        name=f"{name} {dept.name}",
                        business_hours=hours,
                        time_zone="UTC",
                        created_at=self.now,
                        updated_at=self.now,
                    )
                )
        slas = SLA.objects.bulk_create(slas)
        SLATarget.objects.bulk_create(
            SLATarget(sla=sla, priority=p, response_minutes=r, resolution_minutes=s)
            for sla in slas
            for p, (r, s) in TARGETS.items()
        )
        WorkingPeriod.objects.bulk_create(
            WorkingPeriod(
                sla=sla, weekday=day, start_time=datetime.time(9), end_time=datetime.time(18)
            )
            for sla in slas
            if sla.business_hours == "weekly"
            for day in range(5)
        )
        levels = []
        for sla in slas:
            levels.append(
                EscalationLevel(
                    sla=sla, level=1, target="response", offset_minutes=0, action="notify"
                )
            )
            levels.append(
                EscalationLevel(
                    sla=sla,
                    level=2,
                    target="resolution",
                    offset_minutes=60,
                    action="raise_priority",
                )
            )
        levels = EscalationLevel.objects.bulk_create(levels)
        self.levels_by_sla = defaultdict(list)
        for level in levels:
            self.levels_by_sla[level.sla_id].append(level)
        Notify = EscalationLevel.notify_users.through
        Notify.objects.bulk_create(
            Notify(escalationlevel_id=level.pk, user_id=self.administrator.pk)
            for level in levels
            if level.action == "notify"
        )
        SLA.history.model.objects.bulk_create(_history_rows(SLA, slas, when=lambda o: o.created_at))
        self.slas_by_dept = defaultdict(list)
        for sla in slas:
            self.slas_by_dept[sla.department_id].append(sla)
        self.targets = dict(TARGETS)

        plans = []
        for dept in self.departments:
            dept_slas = self.slas_by_dept[dept.pk]
            for i, (name, plan_type, cycle, limit) in enumerate(PLAN_SHAPES):
                plans.append(
                    SupportPlan(
                        department=dept,
                        name=name,
                        plan_type=plan_type,
                        credit_cycle=cycle,
                        credit_limit=limit,
                        sla=dept_slas[i % len(dept_slas)],
                        created_at=self.now,
                        updated_at=self.now,
                    )
                )
        plans = SupportPlan.objects.bulk_create(plans)
        SupportPlan.history.model.objects.bulk_create(
            _history_rows(SupportPlan, plans, when=lambda o: o.created_at)
        )
        self.plans_by_dept = defaultdict(list)
        for plan in plans:
            self.plans_by_dept[plan.department_id].append(plan)
        self.plans = {plan.pk: plan for plan in plans}

    # -- customers -------------------------------------------------------------------------------

    def _accounts(self):
        n = self.sizes.accounts
        accounts = Account.objects.bulk_create(
            (
                Account(
                    name=f"Account {i:05d}",
                    website=f"https://account{i}.example.com",
                    created_at=self.now - datetime.timedelta(days=1200),
                )
                for i in range(n)
            ),
            batch_size=BATCH,
        )
        contacts = Contact.objects.bulk_create(
            (
                Contact(
                    account=account,
                    first_name=f"Contact{j}",
                    last_name=f"Person {account.pk}",
                    email=f"c{j}.{account.pk}@example.com",
                )
                for account in accounts
                for j in range(2)
            ),
            batch_size=BATCH,
        )
        self.accounts = accounts
        self.contacts_by_account = defaultdict(list)
        for contact in contacts:
            self.contacts_by_account[contact.account_id].append(contact.pk)
        # The large account's first contact signs in to the help centre, as its administrator.
        self.big_account = accounts[0]
        self.customer = get_user_model().objects.create(
            username="bench-customer", first_name="Carla", last_name="Customer", password="!"
        )
        Contact.objects.filter(pk=self.contacts_by_account[self.big_account.pk][0]).update(
            user=self.customer, is_account_admin=True, invited_at=self.now
        )

    # -- contracts -------------------------------------------------------------------------------

    def _contract_period(self, slot: int, *, big: bool = False):
        """Contract 0 of an account: active or expired; contract 1: mostly active. The large
        account's are both active, as the article's Amber Motors: contract 0 time-limited,
        contract 1 with no end date."""
        rng, today = self.rng, self.today
        roll = rng.random()
        if big:
            start = today - datetime.timedelta(days=200 + 300 * slot)
            return start, (start + datetime.timedelta(days=729) if slot == 0 else None)
        if slot == 0:
            kind = "active" if roll < 0.5 else "expired"
        else:
            kind = "active" if roll < 0.7 else ("upcoming" if roll < 0.85 else "expired")
        if kind == "active":
            start = today - datetime.timedelta(days=rng.randint(0, 700))
            end = max(start + datetime.timedelta(days=729), today + datetime.timedelta(days=1))
            end = min(end, today + datetime.timedelta(days=rng.randint(1, 365)))
        elif kind == "expired":
            start = today - datetime.timedelta(days=rng.randint(400, 1000))
            end = start + datetime.timedelta(days=364)
        else:
            start = today + datetime.timedelta(days=rng.randint(1, 60))
            end = start + datetime.timedelta(days=364)
        return start, end

    def _contracts(self):
        rng = self.rng
        owner_pool = [self.administrator.pk, self.agent.pk]
        contracts = []
        per_account = max(1, self.sizes.contracts // max(1, len(self.accounts)))
        extra = self.sizes.contracts - per_account * len(self.accounts)
        number = 0
        for i, account in enumerate(self.accounts):
            slots = per_account + (1 if i < extra else 0)
            first = i % len(self.departments)
            big = account.pk == self.big_account.pk
            for slot in range(slots):
                dept = self.departments[(first + slot) % len(self.departments)]
                if not dept.contracts_enabled and rng.random() < 0.8:
                    dept = self.enabled[slot % len(self.enabled)]
                plan = rng.choice(self.plans_by_dept[dept.pk])
                if big and slot < 2:
                    dept = self.enabled[slot % len(self.enabled)]
                    shapes = ("ticket_based", "unlimited")
                    plan = next(
                        p for p in self.plans_by_dept[dept.pk] if p.plan_type == shapes[slot]
                    )
                start, end = self._contract_period(min(slot, 1), big=big and slot < 2)
                notify = 14 if rng.random() < 0.5 and end is not None else None
                sent = (
                    end if notify and end - datetime.timedelta(days=notify) < self.today else None
                )
                number += 1
                contracts.append(
                    Contract(
                        owner_id=rng.choice(owner_pool),
                        name=f"{account.name} support {slot + 1}",
                        contract_number=f"B-{number:06d}",
                        product_name=rng.choice(["Desk", "Mail", "Cloud", ""]),
                        account_id=account.pk,
                        start_date=start,
                        end_date=end,
                        support_plan_id=plan.pk,
                        notify_days_before=notify,
                        expiry_notice_sent_for=sent,
                        created_at=timezone.make_aware(
                            datetime.datetime.combine(start, datetime.time(9))
                        )
                        - datetime.timedelta(days=7),
                        updated_at=self.now,
                    )
                )
        contracts = insert(Contract, contracts)
        Notify = Contract.notify_users.through
        Notify.objects.bulk_create(
            (
                Notify(contract_id=c.pk, user_id=c.owner_id)
                for c in contracts
                if c.notify_days_before is not None
            ),
            batch_size=BATCH,
        )
        insert(
            Contract.history.model,
            _history_rows(Contract, contracts, when=lambda o: o.created_at, user_id=None),
        )
        self.contracts = contracts
        self.contracts_by_account = defaultdict(list)
        for contract in contracts:
            self.contracts_by_account[contract.account_id].append(contract)

    # -- tickets ---------------------------------------------------------------------------------

    def _ticket_time(self, contract):
        """A creation time inside the contract's period (and before now), or in the last 3 years."""
        rng = self.rng
        now = self.now
        if contract is None:
            return now - datetime.timedelta(seconds=rng.randint(60, 3 * 365 * 86400))
        start = timezone.make_aware(datetime.datetime.combine(contract.start_date, datetime.time()))
        end = now
        if contract.end_date is not None:
            end = min(
                now,
                timezone.make_aware(
                    datetime.datetime.combine(contract.end_date, datetime.time(23))
                ),
            )
        # Skew towards the recent end so that a fair share of tickets is still being worked on.
        span = (end - start).total_seconds()
        return end - datetime.timedelta(seconds=span * rng.random() ** 2)

    def _since(self, created: datetime.datetime, delta: datetime.timedelta) -> datetime.datetime:
        """``delta`` after ``created``, or, when that is still to come, a moment between then and
        now (not now itself: a desk's tickets are not all written in its last second)."""
        if created + delta <= self.now:
            return created + delta
        return created + (self.now - created) * self.rng.random()

    def _tickets(self):
        rng, now = self.rng, self.now
        # Light rows, not model instances: a million Ticket() calls cost more than the COPY.
        # They are written with their conversations (``_conversations``), which set their
        # replies' moments.
        self.tickets = tickets = []
        for i in range(self.sizes.tickets):
            if rng.random() < BIG_ACCOUNT_SHARE:
                account = self.big_account
            else:
                account = self.accounts[rng.randrange(len(self.accounts))]
            live = [c for c in self.contracts_by_account[account.pk] if c.start_date <= self.today]
            contract = rng.choice(live) if live and rng.random() < 0.9 else None
            if contract is not None:
                plan = self.plans[contract.support_plan_id]
                dept_id, sla = plan.department_id, plan.sla
            else:
                dept_id, sla = self.departments[i % len(self.departments)].pk, None
            created = self._ticket_time(contract)
            recent = now - created < datetime.timedelta(days=14)
            status = _weighted(rng, RECENT_STATUSES if recent else OLD_STATUSES)
            priority = _weighted(rng, PRIORITY_WEIGHTS)
            response_due = resolution_due = None
            if sla is not None:
                respond, resolve = self.targets[priority]
                response_due = created + datetime.timedelta(minutes=respond)
                resolution_due = created + datetime.timedelta(minutes=resolve)
            resolved = status in Status.resolved_kinds()
            resolved_at = (
                self._since(created, datetime.timedelta(minutes=rng.randint(30, 5 * 24 * 60)))
                if resolved
                else None
            )
            responded = (
                self._since(created, datetime.timedelta(minutes=rng.randint(5, 240)))
                if status != Status.OPEN
                else None
            )
            assignees = self.agents_by_dept[dept_id]
            assignee = rng.choice(assignees) if assignees and rng.random() < 0.9 else None
            on_hold_since = (
                self._since(created, datetime.timedelta(hours=1))
                if status in Status.on_hold_kinds()
                else None
            )
            changed = resolved_at or on_hold_since or responded
            chinese = rng.random() < ZH_SHARE
            subject = rng.choice(SUBJECTS_ZH if chinese else SUBJECTS)
            description = rng.choice(DESCRIPTIONS_ZH if chinese else DESCRIPTIONS)
            tickets.append(
                SimpleNamespace(
                    pk=i + 1,
                    id=i + 1,
                    subject=subject,
                    description=f"{description} Ref. R-{i:06d}",
                    account_id=account.pk,
                    contact_id=rng.choice(self.contacts_by_account[account.pk]),
                    department_id=dept_id,
                    product_name=contract.product_name if contract else "",
                    priority=priority,
                    status=status,
                    assignee_id=assignee,
                    created_by_id=self.agent.pk,
                    contract_id=contract.pk if contract else None,
                    sla_id=sla.pk if sla else None,
                    sla_exemption="",
                    sla_paused_minutes=0,
                    response_due_at=response_due,
                    resolution_due_at=resolution_due,
                    first_responded_at=responded,
                    on_hold_since=on_hold_since,
                    resolved_at=resolved_at,
                    # What time-based rules count from (the conversations add the replies').
                    status_changed_at=changed or created,
                    assigned_at=created if assignee else None,
                    reopened_at=None,
                    last_customer_reply_at=None,
                    last_agent_reply_at=None,
                    created_at=created,
                    updated_at=changed or created,  # never before a moment above
                )
            )
        # As a desk writes them: in the order they were opened, numbered in that order. Made
        # contract by contract, the rows lay in the table in no order of time, so every read of
        # the newest tickets (a list page, its deep pages, the search's walk, the API's newest
        # first) found each on a page of its own, which a desk's own table never does.
        tickets.sort(key=lambda t: t.created_at)
        for number, t in enumerate(tickets, start=1):
            t.pk = t.id = number

    # -- escalations -----------------------------------------------------------------------------

    def _escalations(self):
        """The firings of every level whose time came before ``ESCALATED_BEFORE`` ago while the
        ticket's clock ran, and each level swept up to then; a level due more recently is left
        for the benchmark's first run."""
        cutoff = self.now - ESCALATED_BEFORE
        insert_dicts(EscalationFiring, self._firings(cutoff))
        # As the last of those minutes' runs left them: each level swept up to the cutoff.
        EscalationLevel.objects.update(swept_until=cutoff)

    def _firings(self, cutoff: datetime.datetime):
        """The firings, made as the COPY reads them."""
        due_field = {"response": "response_due_at", "resolution": "resolution_due_at"}
        for t in self.tickets:
            if t.sla_id is None:
                continue
            # The clock stopped when the ticket was resolved or put on hold.
            stopped = min(filter(None, (cutoff, t.resolved_at, t.on_hold_since)))
            for level in self.levels_by_sla[t.sla_id]:
                due = getattr(t, due_field[level.target])
                fires_at = due + datetime.timedelta(minutes=level.offset_minutes)
                until = stopped
                if level.target == "response" and t.first_responded_at:
                    until = min(until, t.first_responded_at)
                if fires_at <= until:
                    yield {
                        "ticket_id": t.pk,
                        "level_id": level.pk,
                        "due_at": due,
                        "fired_at": fires_at,
                    }

    # -- conversations ---------------------------------------------------------------------------

    def _conversations(self):
        """The replies, then the tickets with their last replies' moments (one COPY each: an
        UPDATE of every ticket after took 7 minutes at a million, each row's indexes written
        again); the two tables' keys and indexes made after both."""
        with _checked_and_indexed_after(Ticket._meta.db_table, Reply._meta.db_table):
            insert_dicts(Reply, self._replies(), checked_after=False)
            insert_dicts(Ticket, (vars(t) for t in self.tickets), with_pk=True, checked_after=False)

    def _replies(self):
        """Public replies on most tickets (an agent's answer, the customer's, in turn) and a
        private note on some, made as the COPY reads them (none held in memory); each sets its
        ticket's last reply's moment. The large account's customer writes its side on its
        tickets, and one of its tickets has a long conversation."""
        rng = self.rng
        customer_contact = self.contacts_by_account[self.big_account.pk][0]
        big_tickets = [t for t in self.tickets if t.account_id == self.big_account.pk]
        long_one = big_tickets[0].pk if big_tickets else None
        for t in self.tickets:
            if t.pk == long_one:
                public, notes = LONG_CONVERSATION, LONG_CONVERSATION // 3
            elif t.status == Status.OPEN and rng.random() < 0.5:
                continue
            else:
                public, notes = rng.randint(1, 3), int(rng.random() < 0.2)
            agent_id = t.assignee_id or self.agent.pk
            customer_id = self.customer.pk if t.contact_id == customer_contact else None
            end = t.resolved_at or self.now
            step = max(datetime.timedelta(minutes=1), (end - t.created_at) / (public + notes + 1))
            at = t.created_at
            for i in range(public + notes):
                at = min(at + step, end)
                note = i >= public
                from_customer = not note and i % 2 == 1
                # Each side's last public reply: what time-based rules on replies count from.
                # A reply writes its ticket, so the ticket was updated then at the latest.
                if not note:
                    side = "last_customer_reply_at" if from_customer else "last_agent_reply_at"
                    setattr(t, side, at)
                t.updated_at = max(t.updated_at, at)
                yield {
                    "ticket_id": t.pk,
                    "author_id": customer_id if from_customer else agent_id,
                    "from_customer": from_customer,
                    "is_public": not note,
                    "body": rng.choice(NOTES if note else REPLIES),
                    "created_at": at,
                }

    # -- credit ledger and history ---------------------------------------------------------------

    def _cycle(self, contract, when: datetime.datetime):
        """The first and last day of the credit cycle of ``contract`` containing ``when`` (None,
        None on an unlimited plan). Each contract's cycles are worked out once and then found by
        bisection: the date arithmetic was a third of the ledger's time."""
        plan = self.plans[contract.support_plan_id]
        if plan.plan_type != "ticket_based":
            return None, None
        day = max(when.astimezone(self.zone).date(), contract.start_date)
        if contract.end_date is not None:
            day = min(day, contract.end_date)
        starts, cycles = self.cycles[contract.pk]
        i = bisect.bisect_right(starts, day) - 1
        if i < 0 or day > cycles[i].end:
            found = cycle_containing(
                anchor=contract.start_date,
                contract_end=contract.end_date,
                cycle=plan.credit_cycle,
                day=day,
            )
            i += 1
            starts.insert(i, found.start)
            cycles.insert(i, found)
        return cycles[i].start, cycles[i].end

    def _ledger_and_history(self):
        rng = self.rng
        contracts = {c.pk: c for c in self.contracts}
        adjustments = min(self.sizes.ledger // 50, self.sizes.ledger)
        budget = self.sizes.ledger - adjustments
        # Status changes per ticket: a chain of (kind, at) the ledger and history both follow.
        chains: dict[int, list] = {}
        contracted = [t for t in self.tickets if t.contract_id is not None]
        for t in contracted:
            chains[t.pk] = ["spend"] if t.status in Status.resolved_kinds() else []
        used = sum(len(c) for c in chains.values())
        if used > budget:  # a tiny ledger: drop spends from the oldest tickets (they lose them)
            budget = used
        i = 0
        while used + 2 <= budget and contracted:
            t = contracted[i % len(contracted)]
            chain = chains[t.pk]
            # Open tickets: resolved then reopened; resolved ones: reopened then resolved again.
            chain[:0] = ["spend", "refund"]
            used += 2
            i += 1
        adjustments += budget - used  # an odd remainder becomes one more adjustment

        def entries():
            """The ledger's rows, made as the COPY reads them (none held in memory)."""
            for t in contracted:
                chain = chains[t.pk]
                if not chain:
                    continue
                contract = contracts[t.contract_id]
                end = t.resolved_at or self.now
                step = max(datetime.timedelta(minutes=5), (end - t.created_at) / (len(chain) + 1))
                at = t.created_at
                last_cycle = (None, None)
                for seq, kind in enumerate(chain):
                    at = at + step
                    if kind == "spend":
                        when = t.resolved_at if seq == len(chain) - 1 and t.resolved_at else at
                        last_cycle = self._cycle(contract, when)
                        cycle = last_cycle
                    else:
                        when = at
                        cycle = last_cycle
                    yield {
                        "contract_id": contract.pk,
                        "ticket_id": t.pk,
                        "ticket_seq": seq,
                        "kind": kind,
                        "delta": -1 if kind == "spend" else 1,
                        "cycle_start": cycle[0],
                        "cycle_end": cycle[1],
                        "created_by_id": t.assignee_id,
                        "reason": "",
                        "created_at": when,
                    }
            ticket_based = [
                c
                for c in self.contracts
                if self.plans[c.support_plan_id].plan_type == "ticket_based"
            ]
            for _ in range(adjustments if ticket_based else 0):
                contract = rng.choice(ticket_based)
                start = timezone.make_aware(
                    datetime.datetime.combine(contract.start_date, datetime.time(10))
                )
                when = min(self.now, start + datetime.timedelta(days=rng.randint(0, 300)))
                cycle = self._cycle(contract, when)
                yield {
                    "contract_id": contract.pk,
                    "kind": "adjustment",
                    "delta": rng.choice([-2, -1, 1, 2, 5]),
                    "cycle_start": cycle[0],
                    "cycle_end": cycle[1],
                    "created_by_id": self.administrator.pk,
                    "reason": "Goodwill credit",
                    "created_at": when,
                }

        insert_dicts(CreditEntry, entries())
        usage.rebuild()  # the rows went around ``CreditEntry.save``, which keeps the days
        self._history()

    def _history(self):
        """Each ticket's history as the services would have written it, made by the database
        from the tickets and the ledger (one INSERT … SELECT): a "created" row, open; a
        "changed" row for each ledger row of the ticket (a spend resolved it, a refund reopened
        it); and one for each ticket resolved without a contract."""
        history = Ticket.history.model
        qn = connection.ops.quote_name

        def literal(value) -> str:  # the statuses and an id: words and digits only
            assert str(value).replace("_", "").isalnum()
            return f"'{value}'" if isinstance(value, str) else str(value)

        resolved_kinds = ", ".join(literal(str(kind)) for kind in Status.resolved_kinds())
        branches = [
            (  # created, open
                {
                    "status": literal(str(Status.OPEN)),
                    "resolved_at": "NULL",
                    "history_date": "t.created_at",
                    "history_type": "'+'",
                    "history_user_id": literal(self.agent.pk),
                },
                "",
            ),
            (  # resolved by a spend, reopened by a refund
                {
                    "status": f"CASE WHEN e.kind = 'spend' THEN {literal(str(Status.RESOLVED))} "
                    f"ELSE {literal(str(Status.OPEN))} END",
                    "resolved_at": "CASE WHEN e.kind = 'spend' THEN e.created_at END",
                    "updated_at": "e.created_at",
                    "history_date": "e.created_at",
                    "history_type": "'~'",
                    "history_user_id": "t.assignee_id",
                },
                f"JOIN {qn(CreditEntry._meta.db_table)} e ON e.ticket_id = t.id",
            ),
            (  # resolved, without a contract
                {
                    "updated_at": "t.resolved_at",
                    "history_date": "t.resolved_at",
                    "history_type": "'~'",
                    "history_user_id": "t.assignee_id",
                },
                f"WHERE t.contract_id IS NULL AND t.status IN ({resolved_kinds})",
            ),
        ]
        ticket_columns = {f.column for f in Ticket._meta.concrete_fields}
        columns = [f.column for f in history._meta.concrete_fields if f.attname != "history_id"]
        selects = [
            "SELECT "
            + ", ".join(
                values.get(c, f"t.{qn(c)}" if c in ticket_columns else "NULL") for c in columns
            )
            + f" FROM {qn(Ticket._meta.db_table)} t {rest}"
            for values, rest in branches
        ]
        table = history._meta.db_table
        sql = (
            f"INSERT INTO {qn(table)} ({', '.join(qn(c) for c in columns)}) "
            + " UNION ALL ".join(selects)
        )
        with _checked_and_indexed_after(table), connection.cursor() as cursor:
            cursor.execute(sql)

    # -- workflow rules (issue 18) ---------------------------------------------------------------

    def _automation(self):
        """Each department with as many active ticket rules as it may have, listening to every
        trigger, with criteria that read the contract and its credits (most tickets match none,
        as on a real desk); the first rule with a long log; the agent with tasks, some overdue."""
        templates = EmailTemplate.objects.bulk_create(
            [
                EmailTemplate(
                    department=d,
                    module=Module.TICKETS,
                    name="Urgent ticket",
                    subject="Urgent: {ticket.number} {ticket.subject}",
                    body="{account.name} ({plan.name}, {credits.left} credits left): {ticket.link}",
                )
                for d in self.departments
            ]
        )
        triggers = [t for t in Rule.Trigger.values if t != Rule.Trigger.CREDIT_CHANGED]
        rules = []
        for department, template in zip(self.departments, templates, strict=True):
            for n in range(RULES_PER_DEPARTMENT):
                trigger = triggers[n % len(triggers)]
                rules.append(
                    Rule(
                        department=department,
                        module=Module.TICKETS,
                        name=f"Rule {n + 1}: urgent under a ticket-based plan",
                        position=n,
                        trigger=trigger,
                        trigger_fields=["status", "priority"]
                        if trigger == Rule.Trigger.FIELDS_UPDATED
                        else [],
                        criteria=[
                            {"field": "priority", "operator": "is", "value": "urgent"},
                            {"field": "plan_type", "operator": "is", "value": "ticket_based"},
                            {"field": "credits_left", "operator": "lte", "value": 1},
                            {"field": "subject", "operator": "contains", "value": "zebra"},
                        ],
                        pattern="1 and (2 or 3) and 4",
                        alert_template=template,
                        alert_assignee=True,
                        task_subject="Call the customer",
                        owner=self.administrator,
                    )
                )
        rules = Rule.objects.bulk_create(rules)
        receivers.rules_changed(rule.department_id for rule in rules)  # no save, no signal
        self.rule = rules[0]
        tickets = list(
            Ticket.objects.filter(department=self.rule.department).values_list("pk", flat=True)[
                :FIRINGS_OF_FIRST_RULE
            ]
        )
        firings = [
            Firing(
                rule=self.rule,
                ticket_id=pk,
                trigger=self.rule.trigger,
                outcome=Firing.Outcome.DONE,
                fired_at=self.now - datetime.timedelta(minutes=17 * i),
                actions=[
                    {"action": "alert", "ok": True, "detail": {"to": ["agent@example.com"]}},
                    {"action": "task", "ok": True, "detail": {"subject": "Call the customer"}},
                ],
            )
            for i, pk in enumerate(tickets)
        ]
        with _stored_timestamps(Firing):
            Firing.objects.bulk_create(firings, batch_size=2000)
        self._time_based_rules()
        department = self.departments[0]
        Task.objects.bulk_create(
            [
                Task(
                    department=department,
                    subject=f"Follow up {i}",
                    ticket_id=tickets[i % len(tickets)] if tickets else None,
                    assignee=self.agent,
                    due_at=self.now + datetime.timedelta(hours=i - TASKS_OF_AGENT // 4),
                    done_at=self.now if i % 3 == 0 else None,
                    rule=self.rule if i % 2 else None,
                    rule_name=self.rule.name if i % 2 else "",
                    created_by=self.administrator,
                )
                for i in range(TASKS_OF_AGENT)
            ],
            batch_size=2000,
        )

    def _time_based_rules(self):
        """Each department with its 30 time-based rules (issue 19), cycling through every kind of
        time condition. Most watch for a rare case (a word few subjects hold), as on a real
        desk, so the run's time is the scan's; one rule in each department fires on its backlog
        the first hour ("on hold for more than 48 business hours": raise the priority)."""
        F = Rule.TimeField
        conditions = [
            (F.STATUS_CHANGED, "gt", 48, True),
            (F.CREATED, "gt", 120, False),
            (F.RESOLUTION_DUE, "lt", 2, True),
            (F.CUSTOMER_REPLY, "gt", 120, False),
            (F.AGENT_REPLY, "is", 24, False),
            (F.RESOLVED, "is", 72, False),
            (F.ASSIGNED, "gt", 72, True),
            (F.RESPONSE_DUE, "lt", 1, False),
            (F.REOPENED, "gt", 24, False),
        ]
        rules = []
        for department in self.departments:
            for n in range(TIME_RULES_PER_DEPARTMENT):
                field, operator, hours, business = conditions[n % len(conditions)]
                rare = [{"field": "subject", "operator": "contains", "value": "zebra"}]
                on_hold = [{"field": "status", "operator": "is", "value": Status.ON_HOLD}]
                rules.append(
                    Rule(
                        department=department,
                        module=Module.TICKETS,
                        kind=Rule.Kind.TIME_BASED,
                        name=f"Time rule {n + 1}",
                        position=n,
                        time_field=field,
                        time_operator=operator,
                        time_hours=hours,
                        business_hours=business,
                        criteria=on_hold if n == 0 else rare,
                        set_priority=RAISE_PRIORITY,
                        owner=self.administrator,
                    )
                )
        Rule.objects.bulk_create(rules)
        receivers.rules_changed(rule.department_id for rule in rules)


# The article's largest edition: 30 active workflow rules per department.
RULES_PER_DEPARTMENT = 30
TIME_RULES_PER_DEPARTMENT = 30
FIRINGS_OF_FIRST_RULE = 5_000
TASKS_OF_AGENT = 300


def build_desk(sizes: Sizes, *, log=print) -> Desk:
    return Builder(sizes, log=log).build()
