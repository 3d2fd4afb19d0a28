from functools import partial

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .access import can_manage_automation
from .selectors import contracts_module_visible

# Which top-bar section a page belongs to, read from the URL it was resolved from: first by its
# namespace (every page of an app), then by its URL name (pages outside any app's namespace).
# The plan and SLA pages, and Organize modules (``desk``), sit under Settings; the account page
# joins the ``customers`` namespace in ``config.urls``. The automation pages sit under Settings,
# but for My tasks (read first, by its view name: the desk knows the automation app's URL names,
# never its code).
SECTION_BY_VIEW_NAME = {
    "automation:task_list": "tasks",
    "automation:task_create": "tasks",
}
SECTION_BY_NAMESPACE = {
    "tickets": "tickets",
    "customers": "customers",
    "contracts": "contracts",
    "plans": "settings",
    "sla": "settings",
    "desk": "settings",
    "automation": "settings",
}
SECTION_BY_URL_NAME = {
    "home": "home",
    "settings": "settings",
}


def current_section(request) -> str | None:
    """The top-bar section of the page being drawn (None for pages of no section: preferences,
    search, a URL that resolves to nothing)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    if match.view_name in SECTION_BY_VIEW_NAME:
        return SECTION_BY_VIEW_NAME[match.view_name]
    for namespace in reversed(match.namespaces):
        if namespace in SECTION_BY_NAMESPACE:
            return SECTION_BY_NAMESPACE[namespace]
    if match.namespaces:
        return None
    return SECTION_BY_URL_NAME.get(match.url_name)


def navigation(request):
    """What the top bar shows the signed-in user: the sections they may open (the current one
    marked), their name, and whether the back office is theirs.

    Read only when a template uses it (each value is lazy): the help centre's frame has no top
    bar, so its pages pay nothing for it. Reads nothing from the database beyond what was read
    before (the Contracts switch, cached on the user)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    top_bar = SimpleLazyObject(lambda: _top_bar(request, user))
    return {name: SimpleLazyObject(partial(top_bar.__getitem__, name)) for name in TOP_BAR}


TOP_BAR = ("nav_contracts", "nav_manage_automation", "nav_section", "nav_sections")
TOP_BAR += ("nav_user_name", "nav_back_office")


def _top_bar(request, user) -> dict:
    show_contracts = contracts_module_visible(user)
    manage_automation = can_manage_automation(user)
    sections = [
        ("home", _("Home"), "home"),
        ("tickets", _("Tickets"), "tickets:ticket_list"),
        # My tasks: every desk user may be given tasks (the top bar is the staff's).
        ("tasks", _("Tasks"), "automation:task_list"),
        ("customers", _("Customers"), "customers:account_list"),
    ]
    if show_contracts:
        sections.append(("contracts", _("Contracts"), "contracts:contract_list"))
    if manage_automation:
        sections.append(("settings", _("Settings"), "settings"))
    current = current_section(request)
    return {
        "nav_contracts": show_contracts,
        "nav_manage_automation": manage_automation,
        "nav_section": current,
        "nav_sections": [
            {"key": key, "label": label, "url": reverse(url_name), "current": key == current}
            for key, label, url_name in sections
        ],
        "nav_user_name": user.get_full_name() or user.get_username(),
        "nav_back_office": user.is_active and user.is_staff,
    }
