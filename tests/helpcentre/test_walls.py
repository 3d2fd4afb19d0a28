"""The wall between customers and staff (issue 17, SPEC section 9).

A signed-in customer reaches the help centre, the language switch, static files and the health
check, and nothing else: every other address of the desk answers 403 in the help centre's frame
(the admin included), and ``/`` sends them to ``/help/``. Staff pay no query for the wall once
their session knows they are staff. Anonymous visitors of the help centre go to its own sign-in;
staff opening it see a notice.
"""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, path, resolve, reverse
from django.views import View

from config import urls as desk_urls
from desk.models import Preferences
from helpcentre.access import SESSION_CONTACT, CustomerRequiredMixin, is_customer
from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

WALL = "helpcentre.middleware.CustomerWallMiddleware"
# Open to a signed-in customer: the help centre, the language switch, the health check.
OPEN_TO_CUSTOMERS = ("help/", "language/", "healthz")
HELP_PAGES = ["home", "contract_detail", "ticket_list", "ticket_create", "ticket_detail"]


class Probe(CustomerRequiredMixin, View):
    """A page of the help centre as the other pages are made (``CustomerRequiredMixin``)."""

    def get(self, request):
        return HttpResponse(f"contact {self.contact.pk} of account {self.contact.account_id}")


# This module doubles as the URLconf of the tests that need a page built on the mixin alone.
urlpatterns = [*desk_urls.urlpatterns, path("help/probe/", Probe.as_view())]


@pytest.fixture
def customer(db):
    contact = f.ContactFactory(email="ana@amber.example")
    f.customer_of(contact)
    contact.refresh_from_db()
    return contact


@pytest.fixture
def customer_client(customer):
    return signed_in(customer.user)


# -- every address of the desk, with sample ids ---------------------------------------------------


def _sample(piece: str) -> str:
    """A path that ``piece`` (one URL pattern, route or regex) matches, with sample values."""
    # a regex (the admin's): its groups, the first alternative or a sample id
    piece = piece.lstrip("^").rstrip("$")
    piece = re.sub(r"\(\?P<\w+>([^)]*)\)", lambda m: m.group(1).split("|")[0], piece)
    piece = piece.replace("([^/]+)", "1").replace(".*", "anything")
    # DRF's router: an id, a format suffix
    piece = piece.replace("[^/.]+", "1").replace("\\.[a-z0-9]+", ".json").replace("/?", "/")
    # a route: its converters
    samples = {"int": "1", "path": "1", "drf_format_suffix": ".json"}
    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: samples.get(m.group(1), "x"), piece)


def desk_paths(patterns=None, prefix: str = "") -> list[str]:
    """Every address of ``config.urls``, each once, filled in with sample ids."""
    found = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        here = prefix + _sample(str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            found += desk_paths(pattern.url_patterns, here)
        else:
            found.append("/" + here)
    return sorted(set(found))


def staff_paths() -> list[str]:
    return [p for p in desk_paths() if p != "/" and not p[1:].startswith(OPEN_TO_CUSTOMERS)]


def test_the_sample_covers_every_part_of_the_desk():
    paths = staff_paths()
    for expected in (
        "/tickets/",
        "/tickets/1/",
        "/customers/1/",
        "/customers/1/contacts/1/invite/",
        "/contracts/1/edit/",
        "/settings/automation/support-plans/1/",
        "/settings/automation/slas/1/",
        "/accounts/login/",
        "/accounts/preferences/",
        "/admin/",
        "/admin/customers/contact/1/change/",
        "/admin/sla/sla/1/history/1/",
        "/admin/auth/",
        "/search/",
    ):
        assert expected in paths
    assert len(paths) > 100
    for url in paths:
        resolve(url)  # each sample is a real address of the desk (Resolver404 otherwise)


def assert_refused(response, url):
    assert response.status_code == 403, (url, response.status_code)
    html = response.content.decode()
    assert 'id="error-page" data-status="403"' in html, url
    assert "helpcentre/403.html" in [t.name for t in response.templates], url
    assert 'href="/help/" class="btn btn-primary" id="error-way-out"' in html, url
    assert 'id="quick-actions"' not in html, url  # never the staff top bar


def test_every_staff_address_refuses_a_customer(customer_client):
    for url in staff_paths():
        assert_refused(customer_client.get(url), url)


def test_every_staff_form_refuses_a_customers_post_and_changes_nothing(customer, customer_client):
    other = f.ContactFactory(account=customer.account)
    for url in staff_paths():
        assert_refused(customer_client.post(url, {"is_account_admin": "on"}), url)
    invite = reverse("customers:contact_invite", args=[other.account_id, other.pk])
    assert_refused(customer_client.post(invite), invite)
    other.refresh_from_db()
    assert other.user is None


def test_an_unknown_address_or_the_api_refuses_a_customer_too(customer_client):
    for url in ("/api/v1/tickets/", "/no-such-page/", "/admin/no/such/page/"):
        assert_refused(customer_client.get(url), url)


def test_the_admin_shows_a_customer_nothing(customer_client):
    for url in ("/admin/", "/admin/login/", "/admin/tickets/ticket/", "/admin/auth/user/"):
        response = customer_client.get(url)
        assert_refused(response, url)
        html = response.content.decode()
        assert "Site administration" not in html and 'href="/admin/' not in html


@pytest.mark.parametrize("wall", [True, False], ids=["with the wall", "without it"])
def test_the_admin_alone_already_refuses_a_customer(settings, customer, wall):
    """Behind the wall, the admin's own check (``is_staff``) refuses a customer too."""
    if not wall:
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != WALL]
    response = signed_in(customer.user).get("/admin/")
    html = response.content.decode()
    assert response.status_code in (302, 403)
    assert "Site administration" not in html
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")


def test_the_home_page_sends_a_customer_to_the_help_centre(customer_client):
    response = customer_client.get("/")
    assert response.status_code == 302 and response["Location"] == "/help/"


def test_a_customer_reaches_the_help_centre_and_what_it_needs(customer, customer_client):
    probe = customer_client.get(reverse("helpcentre:home"))
    assert probe.status_code == 200
    language = customer_client.post("/language/", {"language": "zh-hans", "next": "/help/"})
    assert language.status_code == 302 and language["Location"] == "/help/"
    assert customer_client.get("/healthz").status_code in (200, 503)  # not the wall's 403
    static = customer_client.get("/static/css/desk.css")
    assert static.status_code != 403
    assert customer_client.post("/help/sign-out/").status_code == 302


@pytest.mark.urls("tests.helpcentre.test_walls")
def test_the_mixin_gives_a_customer_the_page_with_their_contact(customer, customer_client):
    response = customer_client.get("/help/probe/")
    assert response.status_code == 200
    assert response.content.decode() == f"contact {customer.pk} of account {customer.account_id}"


@pytest.mark.urls("tests.helpcentre.test_walls")
def test_the_mixin_sends_an_anonymous_visitor_to_the_help_sign_in(client):
    response = client.get("/help/probe/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "/help/sign-in/?next=/help/probe/%3Fx%3D1"


@pytest.mark.urls("tests.helpcentre.test_walls")
def test_the_mixin_shows_staff_a_notice(agent_client):
    response = agent_client.get("/help/probe/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="staff-notice"' in html and "You are signed in as staff" in html
    assert f'action="{reverse("helpcentre:sign_out")}"' in html


@pytest.mark.parametrize("name", HELP_PAGES)
def test_anonymous_visitors_of_help_pages_go_to_the_help_sign_in(client, name):
    url = reverse(f"helpcentre:{name}", args=[1] if name.endswith("detail") else [])
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith("/help/sign-in/?next="), url


def test_anonymous_visitors_of_staff_pages_go_to_the_staff_sign_in(client):
    assert client.get("/tickets/")["Location"].startswith("/accounts/login/?next=")
    assert client.get("/help/sign-in/").status_code == 200


def test_staff_opening_the_help_centre_see_a_notice(agent_client):
    response = agent_client.get("/help/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="staff-notice"' in html
    assert "You are signed in as staff: the help centre is for customers" in html
    assert agent_client.get("/help/sign-in/")["Location"] == "/help/"  # already signed in


def test_staff_pages_cost_no_query_for_the_wall_once_the_session_knows(settings, agent):
    def queries_of_a_staff_page() -> int:
        client = signed_in(agent)
        for _ in range(2):  # the first request reads the preferences and who the user is
            assert client.get("/tickets/").status_code == 200
        assert client.session.get(SESSION_CONTACT) == (0 if WALL in settings.MIDDLEWARE else None)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/tickets/").status_code == 200
        return len(captured)

    with_the_wall = queries_of_a_staff_page()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != WALL]
    without_it = queries_of_a_staff_page()
    assert with_the_wall == without_it


def test_the_first_staff_page_asks_once_and_the_session_remembers(agent, django_assert_num_queries):
    client = signed_in(agent)
    request = client.get("/tickets/").wsgi_request
    assert request.session[SESSION_CONTACT] == 0
    with django_assert_num_queries(0):
        assert is_customer(request) is False


def test_a_customers_session_remembers_the_contact(customer, customer_client):
    customer_client.get("/help/")
    assert customer_client.session[SESSION_CONTACT] == customer.pk


def test_a_deactivated_users_session_is_ended(agent, agent_client):
    assert agent_client.get("/tickets/").status_code == 200
    agent.is_active = False
    agent.save()
    response = agent_client.get("/tickets/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert SESSION_KEY not in agent_client.session


def test_the_wall_speaks_the_customers_language(customer):
    Preferences.objects.create(user=customer.user, language="zh-hans")
    response = signed_in(customer.user).get("/tickets/")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "退出登录" in html  # "Sign out": the help centre's frame, with the customer's menu


def test_the_wall_speaks_the_browsers_language_without_a_choice(customer):
    client = signed_in(customer.user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get("/contracts/").content.decode()
    assert '<html lang="zh-hans">' in html
    html = Client().get("/help/sign-in/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans">' in html and "登录" in html
