"""Production smoke test: sign in to a running desk and load every page of SPEC section 8; then
sign in to the help centre as a customer and load its pages.

    python .ci/smoke.py http://127.0.0.1:8765 admin demo liam.johnson@example.com demo

Talks to the server as a TLS proxy would (``X-Forwarded-Proto: https``), so the production
settings (secure cookies, SSL redirect, CSRF origin checks) are the ones exercised. Every page
must answer 200 with a Content-Security-Policy, and every static file it names must answer 200.
Standard library only: it runs before anything is installed.
"""

import http.client
import json
import re
import sys
import time
import urllib.parse

PAGES = [
    "/",
    "/search/?q=printer",
    "/tickets/",
    "/tickets/new/",
    "/tickets/{ticket}/",
    "/customers/",
    "/customers/{account}/",
    "/contracts/",
    "/contracts/new/",
    "/contracts/{contract}/",
    "/contracts/{contract}/edit/",
    "/settings/",
    "/settings/automation/slas/",
    "/settings/automation/slas/new/",
    "/settings/automation/slas/{sla}/",
    "/settings/automation/slas/{sla}/edit/",
    "/settings/automation/slas/holiday-lists/",
    "/settings/automation/support-plans/",
    "/settings/automation/support-plans/new/",
    "/settings/automation/support-plans/{plan}/",
    "/settings/automation/support-plans/{plan}/edit/",
    "/settings/automation/workflow-rules/",
    "/settings/automation/workflow-rules/new/?module=tickets",
    "/settings/automation/workflow-rules/new/?module=contracts",
    "/settings/automation/workflow-rules/{rule}/",
    "/settings/automation/workflow-rules/{rule}/?record={ticket}",
    "/settings/automation/workflow-rules/{rule}/edit/",
    "/settings/automation/time-based-rules/",
    "/settings/automation/time-based-rules/new/",
    "/settings/automation/time-based-rules/{time_rule}/",
    "/settings/automation/time-based-rules/{time_rule}/?record={ticket}",
    "/settings/automation/time-based-rules/{time_rule}/edit/",
    "/settings/automation/email-templates/",
    "/settings/automation/email-templates/new/",
    "/tasks/",
    "/settings/customization/modules/",
    "/accounts/preferences/",
    "/api/docs/",
    "/api/schema/",
    "/api/v1/",
    "/api/v1/tickets/",
    "/api/v1/contracts/{contract}/credits/",
    "/admin/",
    "/admin/tickets/ticket/",
    "/admin/contracts/contract/",
    "/admin/desk/outgoingemail/",
    "/admin/automation/rule/",
    "/admin/automation/task/",
    "/admin/automation/firing/",
    "/admin/api/apitoken/",
]
# The help centre's pages, as the demo's customer sees them.
HELP_PAGES = [
    "/help/",
    "/help/tickets/",
    "/help/tickets/new/",
    "/help/tickets/{help_ticket}/",
    "/help/contracts/{help_contract}/",
]
HELP_RECORDS = {
    "help_ticket": ("/help/tickets/", r'href="/help/tickets/(\d+)/"'),
    "help_contract": ("/help/", r'href="/help/contracts/(\d+)/"'),
}
# Where to find a record of each kind: its list page, and the shape of its links there.
RECORDS = {
    "ticket": ("/tickets/", r'href="/tickets/(\d+)/"'),
    "account": ("/customers/", r'href="/customers/(\d+)/"'),
    "contract": ("/contracts/", r'href="/contracts/(\d+)/"'),
    "sla": ("/settings/automation/slas/", r'href="/settings/automation/slas/(\d+)/"'),
    "plan": (
        "/settings/automation/support-plans/",
        r'href="/settings/automation/support-plans/(\d+)/"',
    ),
    "rule": (
        "/settings/automation/workflow-rules/",
        r'href="/settings/automation/workflow-rules/(\d+)/"',
    ),
    "time_rule": (
        "/settings/automation/time-based-rules/",
        r'href="/settings/automation/time-based-rules/(\d+)/"',
    ),
}


class Browser:
    """Just enough of a browser: cookies (secure ones included: the proxy speaks TLS)."""

    def __init__(self, base: str):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.origin = f"https://{url.netloc}"
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        headers = {
            "X-Forwarded-Proto": "https",
            "Host": f"{self.host}:{self.port}",
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        if body is not None:
            body = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = self.origin
            headers["Referer"] = self.origin + path
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response, content.decode("utf-8", "replace")


def wait_until_healthy(browser: Browser, seconds: int = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        try:
            response, body = browser.request("GET", "/healthz")
            if response.status == 200:
                return json.loads(body)
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit("the server never answered /healthz with 200")
        time.sleep(1)


def sign_in(browser: Browser, path: str, username: str, password: str) -> None:
    _, page = browser.request("GET", path)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response, _ = browser.request(
        "POST", path, {"csrfmiddlewaretoken": token, "username": username, "password": password}
    )
    if response.status != 302:
        sys.exit(f"signing in as {username} at {path} answered {response.status}")


def find_records(browser: Browser, records: dict) -> dict:
    ids = {}
    for kind, (path, link) in records.items():
        _, page = browser.request("GET", path)
        match = re.search(link, page)
        if match is None:
            sys.exit(f"no {kind} on {path} to open")
        ids[kind] = match.group(1)
    return ids


def load(browser: Browser, pages: list[str], ids: dict, problems: list, statics: set) -> None:
    for template in pages:
        path = template.format(**ids)
        response, page = browser.request("GET", path)
        csp = response.getheader("Content-Security-Policy") or ""
        print(f"{response.status} {path}")
        if response.status != 200:
            problems.append(f"{path}: {response.status}")
        elif "script-src 'self'" not in csp:
            problems.append(f"{path}: no Content-Security-Policy")
        statics |= set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page))


def use_a_token(browser: Browser, problems: list) -> None:
    """Make a personal API token on the preferences page, then read the tickets with it alone (no
    session), as an integration would."""
    _, page = browser.request("GET", "/accounts/preferences/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": csrf, "name": "Smoke test", "expires_on": ""}
    response, page = browser.request("POST", "/accounts/preferences/api-tokens/", form)
    secret = re.search(r'id="new-token"[^>]*>\s*(desk_\w+)\s*<', page)
    if response.status != 200 or secret is None:
        problems.append(f"making an API token answered {response.status} with no token")
        return
    bearer = {"Authorization": f"Bearer {secret.group(1)}", "Accept": "application/json"}
    response, body = Browser(f"http://{browser.host}:{browser.port}").request(
        "GET", "/api/v1/tickets/?status=open", headers=bearer
    )
    print(f"{response.status} /api/v1/tickets/?status=open (token)")
    if response.status != 200 or "results" not in json.loads(body):
        problems.append(f"the API with a token answered {response.status}")


def main(base: str, username: str, password: str, customer: str, customer_password: str) -> int:
    browser = Browser(base)
    print("healthz:", wait_until_healthy(browser))
    problems: list[str] = []
    statics: set[str] = set()
    sign_in(browser, "/accounts/login/", username, password)
    load(browser, PAGES, find_records(browser, RECORDS), problems, statics)
    use_a_token(browser, problems)
    helped = Browser(base)
    sign_in(helped, "/help/sign-in/", customer, customer_password)
    load(helped, HELP_PAGES, find_records(helped, HELP_RECORDS), problems, statics)
    for path in sorted(statics):
        response, _ = browser.request("GET", path)
        print(f"{response.status} {path}")
        if response.status != 200:
            problems.append(f"{path}: {response.status}")
    if not any(".css" in path for path in statics) or not any(".js" in path for path in statics):
        problems.append("the pages name no stylesheet or no script")
    for problem in problems:
        print("FAILED", problem)
    pages = len(PAGES) + len(HELP_PAGES)
    print(f"{pages} pages and {len(statics)} static files checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:6]))
