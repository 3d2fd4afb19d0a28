"""Locust load test of the desk (issue 21): signed-in agents listing, reading, searching and
resolving tickets, as fast as the server answers.

``manage.py loadtest`` (``make loadtest``) builds or reuses a scratch desk, starts gunicorn on
127.0.0.1 with the production settings and runs::

    locust --headless -f benchmark/locustfile.py --host http://127.0.0.1:PORT \\
        --users N --spawn-rate N --run-time 60s --only-summary --csv DIR/loadtest

with the environment variable ``LOADTEST_DESK`` naming a JSON file it wrote::

    {
      "password": "…",                     # the password of every agent listed below
      "search": ["printer", "invoice", …],  # words of the desk's ticket subjects
      "users": [                            # one entry per simulated user, taken in turn
        {
          "username": "agent0",
          "tickets": [1, 5, …],             # tickets of the agent's departments (detail page)
          "open_tickets": [12, 40, …]       # open ones, this user's alone to resolve and reopen
        },
        …
      ]
    }

Each simulated user signs in once through the sign-in page (its CSRF cookie, then the form),
then runs a weighted mix: the ticket list's first pages (5), a ticket's page (4), the search page
(2), and a resolve then reopen of an open ticket through the ticket page's own form (1, two
POSTs, each following its redirect back to the ticket). Requests are named by kind, so the stats
group them. A status of 400 or more, a sign-in page where a desk page was asked for (the session
was lost), or a form that came back instead of redirecting counts as a failure.

Production runs gunicorn behind a TLS proxy that forwards ``X-Forwarded-Proto`` (README,
"Production"), and the settings with ``DEBUG=0`` redirect plain HTTP to HTTPS and mark the session
and CSRF cookies ``Secure``. Here the client plays the proxy's part on the plain connection to
127.0.0.1: every request carries ``X-Forwarded-Proto: https``, POSTs carry the ``Origin`` and
``Referer`` a browser sends over https, and the client keeps and sends the ``Secure`` cookies
(``ProxiedCookieJar``). The server runs its production settings unchanged.
"""

import itertools
import json
import os
import random
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from locust import HttpUser, constant, task
from locust.exception import StopUser
from requests.cookies import RequestsCookieJar

LOGIN_PATH = "/accounts/login/"
TICKET_LISTS = ["/tickets/", "/tickets/?status=open", "/tickets/?assignee=me", "/tickets/?page=2"]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _load_desk() -> dict:
    path = os.environ.get("LOADTEST_DESK")
    if not path:
        raise RuntimeError("LOADTEST_DESK is not set: run this through `manage.py loadtest`.")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


DESK = _load_desk()
# Simulated users take the desk's entries in turn (each its own open tickets to resolve).
_ENTRIES = itertools.cycle(DESK["users"])


class ProxiedCookieJar(RequestsCookieJar):
    """The cookies as the browser beyond the TLS proxy holds them: ``Secure`` ones included.

    The server marks its cookies ``Secure`` (it sees https through ``X-Forwarded-Proto``);
    the client talks plain HTTP to 127.0.0.1 and would otherwise never send them back. Every
    jar requests builds for a request or a redirect copies this one's cookies, so they are kept
    here without the flag."""

    def set_cookie(self, cookie, *args, **kwargs):
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


class FormFields(HTMLParser):
    """What a browser posts from a form: its inputs with a name and each select's selected
    option (else its first), leaving out disabled fields and buttons."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, str] = {}
        self._select: str | None = None
        self._first: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "disabled" in a or (tag in ("input", "select") and not a.get("name")):
            return
        if tag == "input" and a.get("type") not in ("submit", "button", "checkbox", "radio"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select, self._first = a["name"], None
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            if self._first is None:
                self._first = value
            if "selected" in a:
                self.fields[self._select] = value

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            self.fields.setdefault(self._select, self._first or "")
            self._select = None


def form_fields(html: str, form_id: str) -> dict[str, str] | None:
    """The fields of the form ``id=form_id`` in ``html`` (None if the page has no such form)."""
    at = html.find(f'id="{form_id}"')
    if at < 0:
        return None
    start, end = html.rfind("<form", 0, at), html.find("</form>", at)
    if start < 0 or end < 0:
        return None
    parser = FormFields()
    parser.feed(html[start:end])
    parser.close()
    return parser.fields


class Agent(HttpUser):
    """An agent of the desk, signed in once, working as fast as the pages come back."""

    wait_time = constant(0)

    def on_start(self):
        entry = next(_ENTRIES)
        self.username = entry["username"]
        self.tickets = entry["tickets"]
        self.open_tickets = entry["open_tickets"]
        self.words = DESK["search"]
        # The TLS proxy's part (see the module's docstring).
        self.client.cookies = ProxiedCookieJar()
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.origin = "https://" + urlsplit(str(self.host)).netloc
        self.sign_in()

    # -- requests --------------------------------------------------------------------------------

    def page(self, method, url, *, name, expect_path=None, redirected=False, **kwargs):
        """One page view, checked: a failure unless it answered below 400, with a desk page (not
        the sign-in page), at ``expect_path`` if given, after a redirect if ``redirected``.
        The response if it passed, else None."""
        if method == "POST":
            referer = kwargs.pop("referer")
            kwargs["headers"] = {"Origin": self.origin, "Referer": self.origin + referer}
        with self.client.request(method, url, name=name, catch_response=True, **kwargs) as r:
            path = urlsplit(r.url or "").path
            if not r.status_code or r.status_code >= 400:
                r.failure(f"HTTP {r.status_code}")
            elif path == LOGIN_PATH and expect_path != LOGIN_PATH:
                r.failure("answered the sign-in page (not signed in)")
            elif expect_path is not None and path != expect_path:
                r.failure(f"answered {path}, not {expect_path}")
            elif redirected and not r.history:
                r.failure("the form came back instead of redirecting (refused)")
            else:
                r.success()
                return r
            return None

    def sign_in(self):
        login = self.page("GET", LOGIN_PATH, name="sign in (page)", expect_path=LOGIN_PATH)
        token = CSRF_INPUT.search(login.text) if login is not None else None
        if token is None:
            raise StopUser()
        data = {
            "username": self.username,
            "password": DESK["password"],
            "csrfmiddlewaretoken": token.group(1),
            "next": "",
        }
        if self.page("POST", LOGIN_PATH, name="sign in", referer=LOGIN_PATH, data=data) is None:
            raise StopUser()  # counted as a failure: nothing more this user can do

    # -- the mix ---------------------------------------------------------------------------------

    @task(5)
    def ticket_list(self):
        self.page("GET", random.choice(TICKET_LISTS), name="ticket list")

    @task(4)
    def ticket_detail(self):
        self.page("GET", f"/tickets/{random.choice(self.tickets)}/", name="ticket detail")

    @task(2)
    def search(self):
        self.page("GET", "/search/", name="search", params={"q": random.choice(self.words)})

    @task(1)
    def resolve_and_reopen(self):
        if not self.open_tickets:
            return
        path = f"/tickets/{random.choice(self.open_tickets)}/"
        r = self.page("GET", path, name="ticket detail", expect_path=path)
        for status, name in (("resolved", "ticket resolve"), ("open", "ticket reopen")):
            fields = form_fields(r.text, "ticket-update") if r is not None else None
            if fields is None:
                return  # the page failed (counted as such), or it has no form to post
            fields["status"] = status
            back = {"referer": path, "expect_path": path, "redirected": True}
            r = self.page("POST", path, name=name, data=fields, **back)
