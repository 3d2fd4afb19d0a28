"""Issue 16, finding your way: the top bar marks the current section, names the user, searches
and leads staff to the back office; every detail page links back to its list, and every form
has Cancel, back where the user came from (the record when editing, the list when creating)."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from desk.context_processors import current_section, navigation
from tests import factories as f
from tests.conftest import signed_in
from tickets import services as ticket_services

pytestmark = pytest.mark.django_db


class Links(HTMLParser):
    """The page's links and forms, each with its text and the attributes of its ancestors."""

    VOID = {"input", "br", "hr", "img", "meta", "link", "source", "wbr", "col", "area"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict]] = []
        self.links: list[dict] = []
        self.forms: list[dict] = []
        self.inputs: list[dict] = []
        self.labels: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        element = {
            "tag": tag,
            "attrs": attrs,
            "text": "",
            "ancestors": [dict(a, _tag=t) for t, a in self.stack],
        }
        if tag == "a":
            self.links.append(element)
        elif tag == "form":
            self.forms.append(element)
        elif tag == "input":
            self.inputs.append(element)
        elif tag == "label":
            self.labels.append(element)
        if tag in self.VOID:
            return
        self.stack.append((tag, attrs))
        self._open.append(element)

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                del self._open[i:]
                return

    def handle_data(self, data):
        for element in self._open:
            element["text"] += data


def parse(response) -> Links:
    assert response.status_code == 200, response.status_code
    parser = Links()
    parser.feed(response.content.decode())
    parser.close()
    return parser


def text(element) -> str:
    return " ".join(element["text"].split())


def within(element, **attrs) -> bool:
    return any(all(a.get(k) == v for k, v in attrs.items()) for a in element["ancestors"])


def breadcrumb_hrefs(page: Links) -> list[str]:
    return [
        link["attrs"]["href"] for link in page.links if within(link, **{"aria-label": "Breadcrumb"})
    ]


def cancel_hrefs(page: Links) -> list[str]:
    return [link["attrs"]["href"] for link in page.links if text(link) == "Cancel"]


@pytest.fixture
def manager(department):
    return f.UserFactory(
        username="manny",
        first_name="",
        last_name="",
        groups=["Contract managers"],
        departments=[department],
    )


@pytest.fixture
def records(department, agent):
    account = f.AccountFactory(name="Amber Motors")
    sla = f.SLAFactory(department=department, name="Gold SLA")
    plan = f.SupportPlanFactory(department=department, name="Gold", sla=sla)
    contract = f.ContractFactory(account=account, support_plan=plan, contract_number="AM-1")
    ticket = ticket_services.ticket_create(
        by=agent, subject="Printer on fire", account=account, department=department
    )
    return {"account": account, "sla": sla, "plan": plan, "contract": contract, "ticket": ticket}


# -- Cancel on every form -------------------------------------------------------------------

FORMS = [
    # (page, who, path, where Cancel leads)
    ("new ticket", "agent", lambda r: "/tickets/new/", lambda r: "/tickets/"),
    ("new contract", "administrator", lambda r: "/contracts/new/", lambda r: "/contracts/"),
    (
        "contract edit",
        "administrator",
        lambda r: reverse("contracts:contract_edit", args=[r["contract"].pk]),
        lambda r: r["contract"].get_absolute_url(),
    ),
    (
        "contract renewal",
        "administrator",
        lambda r: reverse("contracts:contract_renew", args=[r["contract"].pk]),
        lambda r: r["contract"].get_absolute_url(),
    ),
    (
        "new support plan",
        "administrator",
        lambda r: reverse("plans:plan_create"),
        lambda r: reverse("plans:plan_list"),
    ),
    (
        "support plan edit",
        "administrator",
        lambda r: reverse("plans:plan_edit", args=[r["plan"].pk]),
        lambda r: r["plan"].get_absolute_url(),
    ),
    (
        "support plan delete",
        "administrator",
        lambda r: reverse("plans:plan_delete", args=[r["plan"].pk]),
        lambda r: r["plan"].get_absolute_url(),
    ),
    (
        "new SLA",
        "administrator",
        lambda r: reverse("sla:sla_create"),
        lambda r: reverse("sla:sla_list"),
    ),
    (
        "SLA edit",
        "administrator",
        lambda r: reverse("sla:sla_edit", args=[r["sla"].pk]),
        lambda r: r["sla"].get_absolute_url(),
    ),
    ("preferences", "agent", lambda r: reverse("preferences"), lambda r: reverse("home")),
    (
        "organize modules",
        "administrator",
        lambda r: reverse("desk:modules"),
        lambda r: reverse("settings"),
    ),
]


@pytest.mark.parametrize(("who", "path", "back"), [p[1:] for p in FORMS], ids=[p[0] for p in FORMS])
def test_every_form_has_cancel_back_where_the_user_came_from(request, records, who, path, back):
    page = parse(signed_in(request.getfixturevalue(who)).get(path(records)))
    assert page.forms, "no form on the page"
    assert cancel_hrefs(page) == [back(records)]


def test_the_contract_managers_forms_have_cancel_too(manager, records):
    client = signed_in(manager)
    contract = records["contract"]
    new = parse(client.get(reverse("contracts:contract_create")))
    assert cancel_hrefs(new) == [reverse("contracts:contract_list")]
    edit = parse(client.get(reverse("contracts:contract_edit", args=[contract.pk])))
    assert cancel_hrefs(edit) == [contract.get_absolute_url()]


# -- the way back from every detail and form page ---------------------------------------------

BACK_LINKS = [
    # (page, who, path, the list it leads back to)
    ("ticket", "agent", lambda r: r["ticket"].get_absolute_url(), "tickets:ticket_list"),
    ("new ticket", "agent", lambda r: "/tickets/new/", "tickets:ticket_list"),
    ("account", "agent", lambda r: r["account"].get_absolute_url(), "customers:account_list"),
    ("contract", "agent", lambda r: r["contract"].get_absolute_url(), "contracts:contract_list"),
    ("new contract", "administrator", lambda r: "/contracts/new/", "contracts:contract_list"),
    (
        "contract edit",
        "administrator",
        lambda r: reverse("contracts:contract_edit", args=[r["contract"].pk]),
        "contracts:contract_list",
    ),
    (
        "support plan list",
        "administrator",
        lambda r: reverse("plans:plan_list"),
        "settings",
    ),
    (
        "support plan",
        "administrator",
        lambda r: r["plan"].get_absolute_url(),
        "plans:plan_list",
    ),
    (
        "support plan edit",
        "administrator",
        lambda r: reverse("plans:plan_edit", args=[r["plan"].pk]),
        "plans:plan_list",
    ),
    (
        "new support plan",
        "administrator",
        lambda r: reverse("plans:plan_create"),
        "plans:plan_list",
    ),
    ("organize modules", "administrator", lambda r: reverse("desk:modules"), "settings"),
]


@pytest.mark.parametrize(
    ("who", "path", "back"), [p[1:] for p in BACK_LINKS], ids=[p[0] for p in BACK_LINKS]
)
def test_every_detail_and_form_page_links_back_to_its_list(request, records, who, path, back):
    page = parse(signed_in(request.getfixturevalue(who)).get(path(records)))
    assert reverse(back) in breadcrumb_hrefs(page)


def test_editing_a_contract_also_links_back_to_the_contract(administrator, records):
    contract = records["contract"]
    page = parse(
        signed_in(administrator).get(reverse("contracts:contract_edit", args=[contract.pk]))
    )
    assert breadcrumb_hrefs(page) == [
        reverse("contracts:contract_list"),
        contract.get_absolute_url(),
    ]


# -- the top bar ------------------------------------------------------------------------------

SECTIONS = [
    # (path, the section marked current; None: no section)
    (lambda r: "/", "Home"),
    (lambda r: "/tickets/", "Tickets"),
    (lambda r: "/tickets/new/", "Tickets"),
    (lambda r: r["ticket"].get_absolute_url(), "Tickets"),
    (lambda r: "/customers/", "Customers"),
    (lambda r: r["account"].get_absolute_url(), "Customers"),
    (lambda r: "/contracts/", "Contracts"),
    (lambda r: "/contracts/new/", "Contracts"),
    (lambda r: r["contract"].get_absolute_url(), "Contracts"),
    (lambda r: "/settings/", "Settings"),
    (lambda r: reverse("plans:plan_list"), "Settings"),
    (lambda r: r["plan"].get_absolute_url(), "Settings"),
    (lambda r: reverse("plans:plan_edit", args=[r["plan"].pk]), "Settings"),
    (lambda r: reverse("sla:sla_list"), "Settings"),
    (lambda r: r["sla"].get_absolute_url(), "Settings"),
    (lambda r: reverse("desk:modules"), "Settings"),
    (lambda r: reverse("preferences"), None),
    (lambda r: reverse("search") + "?q=fire", None),
]
SECTION_IDS = [
    "home",
    "ticket list",
    "new ticket",
    "ticket",
    "account list",
    "account",
    "contract list",
    "new contract",
    "contract",
    "settings",
    "plan list",
    "plan",
    "plan edit",
    "SLA list",
    "SLA",
    "modules",
    "preferences",
    "search",
]


@pytest.mark.parametrize(("path", "section"), SECTIONS, ids=SECTION_IDS)
def test_the_current_section_is_marked(administrator, records, path, section):
    page = parse(signed_in(administrator).get(path(records)))
    sections = [link for link in page.links if within(link, id="main-sections")]
    assert [text(link) for link in sections] == [
        "Home",
        "Tickets",
        "Tasks",
        "Customers",
        "Contracts",
        "Settings",
    ]
    current = [link for link in sections if "aria-current" in link["attrs"]]
    if section is None:
        assert current == []
        assert not any("active" in link["attrs"]["class"].split() for link in sections)
        return
    assert [text(link) for link in current] == [section]
    assert current[0]["attrs"]["aria-current"] == "page"
    assert "active" in current[0]["attrs"]["class"].split()
    others = [link for link in sections if link is not current[0]]
    assert not any("active" in link["attrs"]["class"].split() for link in others)


def test_sections_follow_the_users_role(agent, records):
    page = parse(signed_in(agent).get("/"))
    sections = [text(link) for link in page.links if within(link, id="main-sections")]
    assert sections == ["Home", "Tickets", "Tasks", "Customers", "Contracts"]  # no Settings


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/", "home"),
        ("/tickets/1/", "tickets"),
        ("/customers/1/", "customers"),
        ("/contracts/1/edit/", "contracts"),
        ("/settings/", "settings"),
        ("/settings/automation/slas/1/", "settings"),
        ("/settings/automation/support-plans/1/", "settings"),
        ("/settings/customization/modules/", "settings"),
        ("/settings/automation/workflow-rules/1/", "settings"),
        ("/settings/automation/time-based-rules/1/", "settings"),
        ("/tasks/", "tasks"),
        ("/accounts/preferences/", None),
        ("/search/", None),
        ("/admin/", None),
    ],
)
def test_current_section_reads_the_url_namespace_and_name(rf, path, section):
    request = rf.get(path)
    request.resolver_match = resolve(path)
    assert current_section(request) == section


def test_no_section_on_a_page_that_resolved_to_nothing(rf):
    request = rf.get("/no-such-page/")
    request.resolver_match = None
    assert current_section(request) is None


def test_back_office_link_only_for_staff(back_office, administrator, agent, manager):
    admin_url = reverse("admin:index")
    for user, shown in [
        (back_office, True),
        (administrator, False),
        (agent, False),
        (manager, False),
    ]:
        page = parse(signed_in(user).get("/"))
        hrefs = [link["attrs"]["href"] for link in page.links]
        assert (admin_url in hrefs) is shown, user.username
        if shown:
            link = next(link for link in page.links if link["attrs"]["href"] == admin_url)
            assert text(link) == "Back office"


def test_the_top_bar_names_the_user_and_offers_preferences_and_sign_out(agent, manager):
    agent.first_name, agent.last_name = "Agatha", "Christie"
    agent.save()
    html = signed_in(agent).get("/").content.decode()
    assert 'id="user-menu" title="Agatha Christie">Agatha Christie</button>' in html
    assert f'href="{reverse("preferences")}" id="user-preferences"' in html
    assert f'action="{reverse("logout")}"' in html and 'id="sign-out"' in html
    html = signed_in(manager).get("/").content.decode()
    assert 'id="user-menu" title="manny">manny</button>' in html  # no full name: the username


def test_the_top_bar_has_a_search_box(agent):
    page = parse(signed_in(agent).get("/tickets/"))
    (form,) = [
        form
        for form in page.forms
        if form["attrs"].get("role") == "search"
        and form["attrs"].get("action") == reverse("search")
    ]
    assert form["attrs"]["method"] == "get"
    (box,) = [
        field
        for field in page.inputs
        if field["attrs"].get("name") == "q"
        and within(field, role="search", action=reverse("search"))
    ]
    assert box["attrs"]["type"] == "search"
    (label,) = [label for label in page.labels if label["attrs"].get("for") == box["attrs"]["id"]]
    assert text(label) == "Search"


def test_the_top_bar_collapses_behind_a_toggler(agent):
    html = signed_in(agent).get("/").content.decode()
    assert "navbar-expand-lg" in html
    assert 'data-bs-target="#main-menu" aria-controls="main-menu" aria-expanded="false"' in html
    assert 'class="collapse navbar-collapse" id="main-menu"' in html


def test_drawing_the_top_bar_again_reads_nothing(agent, records):
    """The context processor adds no query of its own: what it reads (the Contracts switch, the
    user's permissions) is read once per request and kept on the user."""
    request = RequestFactory().get("/tickets/")
    request.user = agent
    request.resolver_match = resolve("/tickets/")
    navigation(request)
    with CaptureQueriesContext(connection) as captured:
        context = navigation(request)
    assert captured.captured_queries == []
    assert [s["key"] for s in context["nav_sections"] if s["current"]] == ["tickets"]
