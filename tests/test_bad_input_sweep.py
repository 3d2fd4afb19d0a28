"""Bad input never gives a 500, always gets a message, saves nothing and echoes no script.

For every form of the app, the form's own page is fetched and parsed (as a browser would
submit it), completed into a valid submission, then spoiled one kind of bad value at a time:
empty, oversized, wrong type, negative, out of range, HTML/script, SQL-looking, another
department's record, a missing id, digits that are no numbers ("²", "①"), a NUL character and
the far future (year 9999, the largest integer a column holds). Each form/value pair is its own
test. A NUL character may also be refused at the door, with 400 (``RefuseNulMiddleware``).
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from contracts.models import Contract, CreditEntry
from customers.models import Account, Contact
from desk.choices import Priority
from desk.models import Department
from plans.models import SupportPlan
from sla.models import SLA, EscalationLevel, Holiday, HolidayList, SLATarget, WorkingPeriod
from tests import factories as f
from tickets import services as ticket_services
from tickets.models import Reply, Ticket

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
SQL = "'; DROP TABLE x; --"
OVERSIZED = 10_000
MISSING_ID = "999999"
ERROR_MARKERS = ("invalid-feedback", "alert-danger", "alert-error", "errorlist")

# form id: (url name, object the url is about, url name of the page that shows the form)
FORMS = {
    "plan_create": ("plans:plan_create", None, None),
    "plan_edit": ("plans:plan_edit", "free_plan", None),
    "sla_create": ("sla:sla_create", None, None),
    "sla_edit": ("sla:sla_edit", "sla", None),
    "holiday_list_create": ("sla:holiday_list_create", None, None),
    "holiday_list_edit": ("sla:holiday_list_edit", "holiday_list", None),
    "contract_create": ("contracts:contract_create", None, None),
    "contract_edit": ("contracts:contract_edit", "contract", None),
    "contract_adjust_credits": (
        "contracts:contract_adjust_credits",
        "contract",
        "contracts:contract_detail",
    ),
    "ticket_create": ("tickets:ticket_create", None, None),
    "ticket_status": ("tickets:ticket_detail", "ticket", None),
    "ticket_reply": ("tickets:reply_add", "ticket", "tickets:ticket_detail"),
    "modules": ("desk:modules", None, None),
    # a contact's form is on its account's page, and its address names both (form_under_test)
    "contact_invite": ("customers:contact_invite", "contact", "customers:account_detail"),
}

KINDS = [
    "empty",
    "oversized",
    "wrong_type",
    "negative",
    "out_of_range",
    "script",
    "sql",
    "other_department_fk",
    "missing_fk",
    "unicode_digits",
    "nul_byte",
    "far_future",
]

# Cells with nothing to spoil: the form has no field that takes that kind of value (no date, no
# choice of a record, no optional field). Listed, so that a form losing a field it had fails the
# sweep, and a form gaining one fails ``test_the_cells_left_out_have_nothing_to_spoil`` until
# its cell leaves the list and is swept.
NOTHING_TO_SPOIL = frozenset(
    [
        ("contact_invite", "empty"),
        ("contact_invite", "far_future"),
        ("contact_invite", "missing_fk"),
        ("contact_invite", "other_department_fk"),
        ("contract_adjust_credits", "missing_fk"),
        ("contract_adjust_credits", "other_department_fk"),
        ("holiday_list_create", "missing_fk"),
        ("holiday_list_create", "other_department_fk"),
        ("holiday_list_edit", "missing_fk"),
        ("holiday_list_edit", "other_department_fk"),
        ("modules", "far_future"),
        ("modules", "other_department_fk"),
        ("ticket_create", "far_future"),
        ("ticket_reply", "far_future"),
        ("ticket_reply", "missing_fk"),
        ("ticket_reply", "other_department_fk"),
        ("ticket_status", "far_future"),
    ]
)

# Pairs where the "bad" value is a legitimate request, with the reason.
LEGITIMATE = {
    ("modules", "empty"): "ticking no department switches the Contracts module off everywhere",
    ("contract_adjust_credits", "negative"): "a negative adjustment takes credits away",
    ("contact_invite", "empty"): "unticked: the contact sees only their own tickets",
    # A reply is free text up to 20,000 characters: markup and SQL are words like any other
    # (shown escaped: tests/tickets/test_conversation.py), 10,000 characters a long reply.
    ("ticket_reply", "script"): "a reply may quote markup; it is shown escaped",
    ("ticket_reply", "sql"): "a reply may quote SQL",
    ("ticket_reply", "oversized"): "10,000 characters is a long reply, not too long a one",
}


# ---------------------------------------------------------------- parsing the form as served


class _FormParser(HTMLParser):
    """The POST forms of a page: their action and their fields, as a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action")}
            self._form["fields"] = []
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            if tag == "select":
                self._select = None
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            checkable = kind in ("checkbox", "radio")
            self._form["fields"].append(
                {
                    "name": name,
                    "kind": kind,
                    "value": a.get("value", "on" if checkable else ""),
                    "checked": "checked" in a,
                    "options": [],
                }
            )
        elif tag == "textarea" and name:
            self._textarea = {"name": name, "kind": "textarea", "value": "", "options": []}
            self._form["fields"].append(self._textarea)
        elif tag == "select" and name:
            self._select = {
                "name": name,
                "kind": "select",
                "multiple": "multiple" in a,
                "options": [],
            }
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select["options"].append((a.get("value", ""), "selected" in a))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def served_form(html: str, action_url: str) -> list[dict]:
    parser = _FormParser()
    parser.feed(html)
    candidates = [
        form
        for form in parser.forms
        if form["method"] == "post"
        and (form["action"] in (None, "", action_url) or form["action"].endswith(action_url))
        and any(field["name"] != "csrfmiddlewaretoken" for field in form["fields"])
    ]
    assert candidates, f"no POST form for {action_url} on the page"
    return max(candidates, key=lambda form: len(form["fields"]))["fields"]


def field_kind(field) -> str:
    if field["kind"] in ("number",):
        return "number"
    if field["kind"] in ("date", "datetime-local"):
        return "date"
    if field["kind"] == "time":
        return "time"
    if field["kind"] in ("select", "radio", "checkbox"):
        return "choice"
    if field["kind"] == "hidden":
        return "hidden"
    return "text"


def is_foreign_key(field) -> bool:
    if field["kind"] in ("checkbox", "radio"):
        return field["value"].isdecimal()
    return field["kind"] == "select" and any(v.isdecimal() for v, _ in field["options"])


def as_submitted(fields) -> dict[str, list[str]]:
    """What a browser sends for the form as served."""
    data: dict[str, list[str]] = {}
    for field in fields:
        if field["name"] == "csrfmiddlewaretoken":
            continue
        if field["kind"] in ("checkbox", "radio"):
            data.setdefault(field["name"], [])
            if field["checked"]:
                data[field["name"]].append(field["value"])
        elif field["kind"] == "select":
            chosen = [v for v, selected in field["options"] if selected]
            if not chosen and not field["multiple"] and field["options"]:
                chosen = [field["options"][0][0]]
            data[field["name"]] = chosen
        else:
            data[field["name"]] = [field["value"]]
    return data


# ---------------------------------------------------------------- the desk and its snapshot


@pytest.fixture
def world(db):
    support = f.DepartmentFactory(name="Support", contracts_enabled=True)
    hardware = f.DepartmentFactory(name="Hardware", contracts_enabled=True)
    # An administrator of Support only: every permission but seeing every department.
    managers = Group.objects.create(name="Support managers")
    managers.permissions.set(
        Permission.objects.filter(group__name="Administrators").exclude(
            codename="access_all_departments"
        )
    )
    manager = f.UserFactory(username="manager", departments=[support], groups=["Support managers"])
    outsider = f.AgentFactory(username="outsider", departments=[hardware])
    sla = f.SLAFactory(department=support, name="Gold SLA")
    other_sla = f.SLAFactory(department=hardware, name="Hardware SLA")
    plan = f.SupportPlanFactory(department=support, name="Gold", sla=sla, ticket_based=True)
    free_plan = f.SupportPlanFactory(department=support, name="Unused", sla=sla)
    other_plan = f.SupportPlanFactory(department=hardware, name="Hardware plan", sla=other_sla)
    account = f.AccountFactory(name="Acme Ltd")
    contact = f.ContactFactory(account=account)
    contract = f.ContractFactory(
        account=account, support_plan=plan, owner=manager, contract_number="AC-001"
    )
    other_contract = f.ContractFactory(
        account=account, support_plan=other_plan, owner=outsider, contract_number="HW-001"
    )
    ticket = ticket_services.ticket_create(
        by=manager, subject="Printer", account=account, department=support, priority="high"
    )
    holiday_list = HolidayList.objects.create(name="Public holidays")
    Holiday.objects.create(holiday_list=holiday_list, date=datetime.date(2026, 5, 1), name="May")
    client = Client(raise_request_exception=False)
    client.force_login(manager)
    return {
        "holiday_list": holiday_list,
        "client": client,
        "manager": manager,
        "support": support,
        "sla": sla,
        "plan": plan,
        "free_plan": free_plan,
        "contract": contract,
        "ticket": ticket,
        "account": account,
        "contact": contact,
        # another department's records, by the form field that could point at them
        "other": {
            "sla": other_sla.pk,
            "support_plan": other_plan.pk,
            "department": hardware.pk,
            "contract": other_contract.pk,
            "owner": outsider.pk,
            "notify_users": outsider.pk,
        },
    }


SNAPSHOT_MODELS = [
    SLA,
    SLATarget,
    WorkingPeriod,
    EscalationLevel,
    HolidayList,
    Holiday,
    SupportPlan,
    Contract,
    Contract.notify_users.through,
    CreditEntry,
    Ticket,
    Department,
    Account,
    Contact,
    SLA.history.model,
    SupportPlan.history.model,
    Contract.history.model,
    Ticket.history.model,
    Reply,
]


def snapshot() -> dict:
    return {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in SNAPSHOT_MODELS
    }


def valid_overrides(form_id: str, world) -> dict[str, list[str]]:
    today = timezone.localdate()
    later = today + datetime.timedelta(days=400)
    targets = {}
    for priority in Priority.values:
        targets[f"{priority}_response_hours"] = ["1"]
        targets[f"{priority}_response_minutes"] = ["0"]
        targets[f"{priority}_resolution_hours"] = ["8"]
        targets[f"{priority}_resolution_minutes"] = ["0"]
    return {
        "plan_create": {
            "name": ["Sweep plan"],
            "department": [str(world["support"].pk)],
            "plan_type": ["ticket_based"],
            "credit_cycle": ["monthly"],
            "credit_limit": ["5"],
            "sla": [str(world["sla"].pk)],
        },
        "sla_create": {
            "name": ["Sweep SLA"],
            "department": [str(world["support"].pk)],
            **targets,
        },
        "contract_create": {
            "name": ["Sweep contract"],
            "contract_number": ["SW-001"],
            "account": [str(world["account"].pk)],
            "start_date": [later.isoformat()],
            "end_date": [(later + datetime.timedelta(days=100)).isoformat()],
            "support_plan": [str(world["plan"].pk)],
            "notify_users": [str(world["manager"].pk)],
            "notify_days_before": ["7"],
        },
        "holiday_list_create": {
            "name": ["Sweep holidays"],
            "holidays-0-date": ["2026-10-01"],
            "holidays-0-name": ["National Day"],
        },
        "contract_adjust_credits": {"delta": ["1"], "reason": ["Goodwill"]},
        "ticket_create": {
            "subject": ["Sweep ticket"],
            "account": [str(world["account"].pk)],
            "department": [str(world["support"].pk)],
            "priority": ["medium"],
        },
        "ticket_status": {"status": ["in_progress"]},
        "ticket_reply": {"reply-body": ["Restarted the printer: fixed."]},
    }.get(form_id, {})


def form_under_test(form_id: str, world):
    url_name, about, page_name = FORMS[form_id]
    args = page_args = [world[about].pk] if about else []
    if about == "contact":
        args, page_args = [world["account"].pk, world["contact"].pk], [world["account"].pk]
    try:
        url = reverse(url_name, args=args)
        page_url = reverse(page_name, args=page_args) if page_name else url
    except NoReverseMatch:
        pytest.fail(f"{url_name} does not resolve: renamed or removed?")
    page = world["client"].get(page_url)
    assert page.status_code == 200, f"{page_url} answered {page.status_code}"
    fields = served_form(page.content.decode(), url)
    data = as_submitted(fields)
    for name, value in valid_overrides(form_id, world).items():
        if name in data:
            data[name] = value
    return url, fields, data


def spoil(kind: str, fields, data: dict, world) -> dict:
    """The valid submission with ``kind`` of bad value in the fields it applies to."""
    bad = {name: list(values) for name, values in data.items()}
    visible = [field for field in fields if field_kind(field) != "hidden"]
    names = {field["name"]: field for field in visible if field["name"] in bad}
    by_kind = {
        "oversized": {"text": "x" * OVERSIZED, "number": "9" * OVERSIZED},
        "wrong_type": {"number": "twelve", "date": "next tuesday", "time": "noon"},
        "negative": {"number": "-5", "date": "-0001-01-01", "time": "-01:00"},
        "out_of_range": {"number": "2147483648", "date": "2024-02-30", "time": "25:61"},
        "unicode_digits": {"number": "²", "date": "2026-0①-01", "time": "①:00"},
        "far_future": {"number": "2147483647", "date": "9999-12-31"},
    }
    for name, field in names.items():
        kind_of_field = field_kind(field)
        if kind == "empty":
            bad[name] = []
        elif kind in ("script", "sql"):
            bad[name] = [SCRIPT if kind == "script" else SQL]
        elif kind == "nul_byte":
            bad[name] = [f"{value}\x00" for value in bad[name]] or ["\x00"]
        elif kind == "oversized":
            bad[name] = [by_kind[kind].get(kind_of_field, "7" * OVERSIZED)]
        elif kind in by_kind:
            value = by_kind[kind].get(kind_of_field)
            if value is None and kind_of_field == "choice" and kind != "far_future":
                value = {"wrong_type": "not-a-choice", "negative": "-1", "unicode_digits": "²"}.get(
                    kind, "999999999"
                )
            if value is not None:
                bad[name] = [value]
        elif kind == "other_department_fk" and name in world["other"] and is_foreign_key(field):
            bad[name] = [str(world["other"][name])]
        elif kind == "missing_fk" and is_foreign_key(field):
            bad[name] = [MISSING_ID]
    return bad


def shows_an_error(response, client, kind: str = "") -> tuple[bool, list]:
    pages = [response]
    if kind == "nul_byte" and response.status_code == 400:
        return True, pages  # refused at the door
    if response.status_code == 302:
        pages.append(client.get(response["Location"]))
    elif response.status_code != 200:
        return False, pages
    return any(marker in pages[-1].content.decode() for marker in ERROR_MARKERS), pages


@pytest.mark.parametrize(
    ("form_id", "kind"),
    [(f, k) for f in FORMS for k in KINDS if (f, k) not in NOTHING_TO_SPOIL],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(world, form_id, kind):
    url, fields, data = form_under_test(form_id, world)
    bad = spoil(kind, fields, data, world)
    assert bad != data, f"{form_id} has no field that takes a {kind} value any more"
    client = world["client"]
    before = snapshot()

    response = client.post(url, bad)

    assert response.status_code != 500, f"{form_id} {kind}: server error"
    if (form_id, kind) in LEGITIMATE:  # a valid request: taken, and never echoed unescaped
        assert response.status_code in (200, 302), f"{form_id} {kind}: {LEGITIMATE[form_id, kind]}"
        pages = [response]
        if response.status_code == 302:
            pages.append(client.get(response["Location"]))
        for page in pages:
            assert SCRIPT not in page.content.decode(), f"{form_id} {kind}: script echoed unescaped"
        return
    has_error, pages = shows_an_error(response, client, kind)
    assert has_error, f"{form_id} {kind}: answered {response.status_code} without an error message"
    assert snapshot() == before, f"{form_id} {kind}: rows were added or changed"
    for page in pages:
        assert SCRIPT not in page.content.decode(), f"{form_id} {kind}: script echoed unescaped"


@pytest.mark.parametrize(("form_id", "kind"), sorted(NOTHING_TO_SPOIL))
def test_the_cells_left_out_have_nothing_to_spoil(world, form_id, kind):
    url, fields, data = form_under_test(form_id, world)
    bad = spoil(kind, fields, data, world)
    assert bad == data, f"{form_id} now has a field that takes a {kind} value: sweep it"


@pytest.mark.parametrize("form_id", list(FORMS))
def test_the_sweeps_valid_submission_is_accepted(world, form_id):
    """Proves each spoiled submission differs from an accepted one only by its bad value."""
    url, _fields, data = form_under_test(form_id, world)
    client = world["client"]
    response = client.post(url, data)
    assert response.status_code == 302, (
        f"{form_id}: the sweep's valid submission answered {response.status_code}"
    )
    followed = client.get(response["Location"]).content.decode()
    assert "alert-danger" not in followed and "alert-error" not in followed
