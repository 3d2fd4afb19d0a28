"""The API's pages in the browser: personal tokens on the preferences page, and the docs page
(Swagger UI from the desk's own static files, under its Content-Security-Policy)."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from api import tokens
from api.models import ApiToken
from tests import factories as f
from tests.browser import test_phone_width as phone
from tests.browser.conftest import assert_accessible, browser_db, log_in, sign_in_with_session

pytestmark = [pytest.mark.browser, browser_db]

TICKETS = "/api/v1/tickets/"
LONG_NAME = "Nightly export to the finance department's ledger system"


def field(label: str) -> re.Pattern:
    """A form label exactly, with crispy's "*" of a required field or without."""
    return re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")


def api_status(secret: str) -> int:
    """What another system gets for the ticket list with this token."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(TICKETS).status_code


def watch(page, live_server):
    """The page's console errors, uncaught exceptions and requests to another host."""
    seen = {"errors": [], "elsewhere": []}
    own = urlsplit(live_server.url).netloc
    page.on(
        "console",
        lambda m: seen["errors"].append(m.text) if m.type == "error" else None,
    )
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))

    def on_request(request):
        parts = urlsplit(request.url)
        if parts.scheme not in {"data", "blob"} and parts.netloc != own:
            seen["elsewhere"].append(request.url)

    page.on("request", on_request)
    return seen


def test_an_administrator_makes_sees_once_and_revokes_a_token(page, live_server, department):
    ada = f.AdministratorFactory(username="ada", departments=[department])
    seen = watch(page, live_server)
    log_in(page, "ada")

    page.locator("#user-menu").click()
    page.get_by_role("link", name="Preferences").click()
    expect(page.get_by_role("heading", name="API tokens")).to_be_visible()
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()

    page.get_by_label(field("Token name")).fill("Billing system")
    expect(page.get_by_label(field("Expires on"))).to_have_value("")
    page.get_by_role("button", name="Make a token").click()

    shown = page.get_by_role("textbox", name="Token", exact=True)
    expect(shown).to_be_visible()
    expect(shown).not_to_be_editable()
    secret = shown.input_value()
    assert secret.startswith("desk_")
    expect(page.get_by_role("status")).to_contain_text("shown only once")
    token = ApiToken.objects.get(user=ada)
    assert (token.name, token.expiry) == ("Billing system", None)
    assert api_status(secret) == 200
    assert_accessible(page)

    page.goto("/accounts/preferences/")
    assert secret not in page.content()
    expect(page.get_by_role("textbox", name="Token", exact=True)).to_have_count(0)
    listed = page.locator("#api-token-list li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Billing system")
    expect(listed).to_contain_text(f"{token.token_key}…")
    expect(listed).to_contain_text("Never")

    page.get_by_role("button", name="Revoke the token “Billing system”").click()
    expect(page.get_by_role("alert")).to_contain_text("Token revoked")
    expect(page.locator("#api-token-list")).to_have_count(0)
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    assert api_status(secret) == 401
    assert not ApiToken.objects.exists()

    # The docs: Swagger UI draws every operation, from the desk's own files, under its policy.
    # (Its console is watched from here: the desk's pages have no icon, and Chromium logs the
    # 404 of the /favicon.ico it asks for instead.)
    seen["errors"].clear()
    page.get_by_role("link", name="API documentation").click()
    expect(page).to_have_url(re.compile(r"/api/docs/$"))
    for tag in ("accounts", "contacts", "slas", "plans", "contracts", "tickets", "tasks"):
        expect(page.get_by_role("heading", name=re.compile(rf"^{tag}\b"), level=3)).to_be_visible()
    tickets_list = page.locator(".opblock-get", has=page.get_by_text(TICKETS, exact=True))
    expect(tickets_list).to_have_count(1)
    tickets_list.locator(".opblock-summary-control").click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    # Tried out with the page's session: the ticket list answers.
    expect(tickets_list.locator(".live-responses-table tbody .response-col_status")).to_have_text(
        "200"
    )
    assert seen["errors"] == []
    assert seen["elsewhere"] == []


@pytest.mark.parametrize("width", list(phone.WIDTHS))
def test_the_tokens_section_fits_phone_and_desktop(page, live_server, department, width):
    ada = f.AdministratorFactory(username="ada", departments=[department])
    tokens.token_create(by=ada, name=LONG_NAME)
    tokens.token_create(
        by=ada, name="CRM", expires_on=timezone.localdate() + datetime.timedelta(days=30)
    )
    page.set_viewport_size(phone.WIDTHS[width])
    sign_in_with_session(page.context, ada, live_server.url)
    page.goto("/accounts/preferences/")
    page.get_by_label(field("Token name")).fill("Billing system")
    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_role("textbox", name="Token", exact=True)).to_be_visible()

    phone.assert_no_horizontal_overflow(page)
    expect(page.locator("#api-token-list li")).to_have_count(3)
    for name in ("Billing system", "CRM", LONG_NAME):
        button = page.get_by_role("button", name=f"Revoke the token “{name}”")
        phone.assert_on_screen_and_clickable(page, button, f"Revoke {name}")
    phone.assert_on_screen_and_clickable(
        page, page.get_by_role("button", name="Make a token"), "Make a token"
    )
    assert_accessible(page)
