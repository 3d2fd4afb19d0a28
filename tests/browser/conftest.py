"""Playwright against Debian's Chromium and a live server with a fresh database.

Without Chromium the browser tests skip with the command that installs it; with
``REQUIRE_BROWSER_TESTS=1`` (set by ``.ci/run``) the same situation fails instead.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.conftest import restore_ready_groups

# The sync Playwright API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_DEFAULT = "/usr/bin/chromium"
# How long an action or an assertion waits for the page.
TIMEOUT_MS = 10_000

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
INSTALL_HINT = (
    "Chromium is not installed: run `apt-get install -y chromium` to run the browser tests"
)
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
BLOCKING_IMPACTS = {"serious", "critical"}
PASSWORD = "password"  # tests.factories.UserFactory's password

# Each browser test gets a fresh database (flushed afterwards); _ready_groups restores the groups
# made by a data migration.
browser_db = pytest.mark.django_db(transaction=True)


def chromium_path() -> str | None:
    if os.access(CHROMIUM_DEFAULT, os.X_OK):
        return CHROMIUM_DEFAULT
    return shutil.which("chromium")


def _unavailable(reason: str):
    if os.environ.get("REQUIRE_BROWSER_TESTS") == "1":
        pytest.fail(f"{reason} (REQUIRE_BROWSER_TESTS=1 turns this skip into a failure)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _ready_groups(request):
    """An earlier transactional test may have flushed the groups made by a data migration."""
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("transactional_db")
        restore_ready_groups()


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        _unavailable(INSTALL_HINT)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        _unavailable("Playwright is not installed: run `make install`")
    from playwright.sync_api import expect

    # Assertions wait as long as actions (Playwright's are 5 s apart): under CI's four jobs on
    # two cores, a page's two requests after a keystroke (suggestions, then the account's
    # contacts) took longer than 5 s.
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    yield context
    context.close()


@pytest.fixture
def page(context, request):
    """A page whose last state is saved to test-artifacts/<test name>.png, pass or fail.

    Every journey also checks the Content-Security-Policy: a script, style or frame the policy
    refused is reported by Chromium on the console, and fails the test."""
    page = context.new_page()
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name).strip("_")
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    except Exception as error:  # noqa: BLE001 - a screenshot must not hide the test's own result
        print(f"screenshot of {name} failed: {error}")
    assert refused == [], "Content-Security-Policy violations:\n" + "\n".join(refused)


def log_in(page, username: str, password: str = PASSWORD) -> None:
    """Sign in through the sign-in form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"


def sign_in_with_session(context, user, base_url: str) -> None:
    """A session cookie for ``user`` without going through the form (for page checks)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": base_url}]
    )


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the current page."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol, which the page's CSP (no inline
        # script) does not govern; a <script> tag added to the page would be refused.
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [json.dumps(node["target"]) for node in violation["nodes"]]
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — {', '.join(targets)}"
        )
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{format_violations(violations)}"
