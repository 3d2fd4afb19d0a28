"""Personal API tokens on the preferences page (SPEC section 12: made and revoked there, shown
once, stored hashed), and the API's docs and schema pages."""

import base64
import datetime
import hashlib
import re
import zoneinfo
from html.parser import HTMLParser

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from knox.crypto import hash_token

from api import tokens
from api.models import ApiToken
from desk.models import Preferences
from desk.validators import DATE_TOO_LATE
from tests import factories as f
from tests.conftest import signed_in

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"
NEW_SECRET = re.compile(r'<textarea[^>]*\bid="new-token"[^>]*>([^<]*)</textarea>')


def bearer(secret: str) -> Client:
    """A client as another system is: the token in its header, no session, no cookie."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def make_token(client, name="Billing system", expires_on=""):
    return client.post(reverse("api_token_create"), {"name": name, "expires_on": expires_on})


def shown_secret(response) -> str:
    """The secret as the answer page shows it, in its read-only field."""
    found = NEW_SECRET.findall(response.content.decode())
    assert len(found) == 1, "the page shows no new token (or more than one)"
    return found[0]


def preferences_html(client) -> str:
    response = client.get(reverse("preferences"))
    assert response.status_code == 200
    return response.content.decode()


def last_second_of(day: datetime.date, zone: str) -> datetime.datetime:
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return end.replace(tzinfo=zoneinfo.ZoneInfo(zone))


# --- made once, shown once, stored hashed -------------------------------------------------------


def test_a_token_is_shown_once_stored_as_a_digest_and_signs_in(agent, agent_client):
    response = make_token(agent_client, name="Billing system")

    assert response.status_code == 200
    secret = shown_secret(response)
    assert secret.startswith("desk_") and len(secret) > 40
    assert response.content.decode().count(secret) == 1
    assert "no-store" in response["Cache-Control"]  # no cache keeps the page with the secret
    token = ApiToken.objects.get(user=agent)
    assert (token.name, token.expiry) == ("Billing system", None)

    # The database keeps a fingerprint: no column holds the secret (token_key is its start).
    assert token.digest != secret and token.digest == hash_token(secret)
    assert secret.startswith(token.token_key) and len(token.token_key) < len(secret) / 2
    for field in ApiToken._meta.concrete_fields:
        assert secret not in str(field.value_from_object(token)), field.name
    assert all(secret not in str(value) for value in agent_client.session.values())

    # Opened again, the page lists the token and never shows its secret.
    html = preferences_html(agent_client)
    assert secret not in html and 'id="new-token"' not in html
    assert "Billing system" in html and token.token_key in html

    answer = bearer(secret).get(TICKETS)
    assert answer.status_code == 200
    assert answer.wsgi_request.user == agent


def test_the_create_address_opened_by_itself_leads_to_the_preferences_page(agent_client):
    response = agent_client.get(reverse("api_token_create"))
    assert response.status_code == 302
    assert response["Location"] == reverse("preferences") + "#api-tokens"
    assert not ApiToken.objects.exists()


def test_a_token_lasts_to_the_end_of_its_day_in_the_users_time_zone(agent, agent_client):
    Preferences.objects.create(user=agent, time_zone="Asia/Shanghai")
    timezone.activate("Asia/Shanghai")
    try:
        last_day = timezone.localdate() + datetime.timedelta(days=30)
    finally:
        timezone.deactivate()
    response = make_token(agent_client, expires_on=last_day.isoformat())
    assert response.status_code == 200
    token = ApiToken.objects.get(user=agent)
    end = last_second_of(last_day, "Asia/Shanghai")
    assert end <= token.expiry < end + datetime.timedelta(seconds=1)
    assert bearer(shown_secret(response)).get(TICKETS).status_code == 200
    # The page shows the day chosen, in the user's time zone.
    shown = date_format(end.replace(tzinfo=None), "SHORT_DATETIME_FORMAT")
    assert shown.endswith("23:59") and shown in preferences_html(agent_client)


# --- revoked ------------------------------------------------------------------------------------


def test_a_revoked_token_answers_401_at_once(agent, agent_client):
    token, secret = tokens.token_create(by=agent, name="CRM")
    api = bearer(secret)
    assert api.get(TICKETS).status_code == 200

    response = agent_client.post(reverse("api_token_revoke", args=[token.token_key]))

    assert response.status_code == 302
    assert response["Location"] == reverse("preferences") + "#api-tokens"
    assert api.get(TICKETS).status_code == 401
    assert not ApiToken.objects.filter(digest=token.digest).exists()
    assert token.token_key not in preferences_html(agent_client)


def test_nobody_revokes_another_users_token(agent_client, administrator):
    token, secret = tokens.token_create(by=administrator, name="Admin's CRM")

    response = agent_client.post(reverse("api_token_revoke", args=[token.token_key]))

    assert response.status_code == 404
    assert ApiToken.objects.filter(digest=token.digest).exists()
    assert bearer(secret).get(TICKETS).status_code == 200


def test_revoking_asks_for_a_post(agent, agent_client):
    token, secret = tokens.token_create(by=agent, name="CRM")
    response = agent_client.get(reverse("api_token_revoke", args=[token.token_key]))
    assert response.status_code == 405
    assert bearer(secret).get(TICKETS).status_code == 200


# --- refused ------------------------------------------------------------------------------------


@pytest.mark.parametrize("days", [-1, 0], ids=["yesterday", "today"])
def test_an_expiry_that_is_not_after_today_is_refused(agent, agent_client, days):
    day = timezone.localdate() + datetime.timedelta(days=days)

    response = make_token(agent_client, expires_on=day.isoformat())

    assert response.status_code == 400
    assert escape(str(tokens.EXPIRY_PAST)) in response.content.decode()
    assert 'id="new-token"' not in response.content.decode()
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError) as refused:
        tokens.token_create(by=agent, name="CRM", expires_on=day)
    assert refused.value.message_dict == {"expires_on": [str(tokens.EXPIRY_PAST)]}
    assert not ApiToken.objects.exists()


def test_an_expiry_beyond_the_calendar_is_refused_not_a_500(agent, agent_client):
    response = make_token(agent_client, expires_on="9999-12-31")
    assert response.status_code == 400
    assert escape(str(DATE_TOO_LATE) % {"limit": "2200-12-31"}) in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        tokens.token_create(by=agent, name="CRM", expires_on=datetime.date.max)
    assert list(refused.value.message_dict) == ["expires_on"]
    assert not ApiToken.objects.exists()


def test_an_expired_token_answers_401(agent):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    token, secret = tokens.token_create(by=agent, name="CRM", expires_on=tomorrow)
    api = bearer(secret)
    assert api.get(TICKETS).status_code == 200

    ApiToken.objects.filter(digest=token.digest).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )

    assert api.get(TICKETS).status_code == 401


def test_an_expired_token_is_marked_and_does_not_count_against_the_limit(
    agent, agent_client, settings
):
    settings.API_TOKENS_PER_USER = 2
    old, _secret = tokens.token_create(by=agent, name="Old CRM")
    tokens.token_create(by=agent, name="Billing system")
    ApiToken.objects.filter(digest=old.digest).update(
        expiry=timezone.now() - datetime.timedelta(minutes=1)
    )
    html = preferences_html(agent_client)
    assert re.search(r"Old CRM\s*<span[^>]*>Expired</span>", html)
    assert not re.search(r"Billing system\s*<span[^>]*>Expired</span>", html)

    response = make_token(agent_client, name="New CRM")

    assert response.status_code == 200, response.context["token_form"].errors
    assert sorted(ApiToken.objects.values_list("name", flat=True)) == ["Billing system", "New CRM"]


@pytest.mark.parametrize("name", ["", "   "], ids=["empty", "spaces"])
def test_a_token_needs_a_name(agent, agent_client, name):
    response = make_token(agent_client, name=name)

    assert response.status_code == 400
    assert escape(str(tokens.NAME_REQUIRED)) in response.content.decode()
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError) as refused:
        tokens.token_create(by=agent, name=name)
    assert refused.value.message_dict == {"name": [str(tokens.NAME_REQUIRED)]}


def test_a_name_too_long_is_refused(agent, agent_client):
    response = make_token(agent_client, name="x" * (tokens.NAME_MAX_LENGTH + 1))
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    with pytest.raises(ValidationError):
        tokens.token_create(by=agent, name="x" * (tokens.NAME_MAX_LENGTH + 1))
    assert not ApiToken.objects.exists()


def test_a_user_has_at_most_the_set_number_of_tokens(agent, agent_client, administrator, settings):
    settings.API_TOKENS_PER_USER = 3
    for number in range(3):
        tokens.token_create(by=agent, name=f"System {number}")
    tokens.token_create(by=administrator, name="Not the agent's")  # others' do not count

    response = make_token(agent_client, name="One too many")

    assert response.status_code == 400
    message = str(tokens.TOO_MANY) % {"limit": 3}
    assert escape(message) in response.content.decode()
    assert 'id="new-token"' not in response.content.decode()
    assert ApiToken.objects.filter(user=agent).count() == 3
    with pytest.raises(ValidationError) as refused:
        tokens.token_create(by=agent, name="One too many")
    assert refused.value.message_dict == {"name": [message]}
    assert ApiToken.objects.filter(user=agent).count() == 3


def test_a_customer_gets_no_token(department):
    customer = f.customer_of(f.ContactFactory(), is_account_admin=True)
    client = signed_in(customer)

    page = client.get(reverse("preferences"))
    made = make_token(client, name="Sneaky")

    assert page.status_code == 403 and made.status_code == 403
    for response in (page, made):
        html = response.content.decode()
        assert 'id="api-tokens"' not in html and 'id="new-token"' not in html
        assert 'name="expires_on"' not in html
    with pytest.raises(PermissionDenied):
        tokens.token_create(by=customer, name="Sneaky")
    assert not ApiToken.objects.exists()


def test_a_deactivated_user_gets_no_token(agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        tokens.token_create(by=agent, name="CRM")
    assert not ApiToken.objects.exists()


# --- the list -----------------------------------------------------------------------------------


def test_the_page_lists_the_users_tokens_and_nobody_elses(agent, agent_client, administrator):
    day = timezone.localdate() + datetime.timedelta(days=10)
    crm, _ = tokens.token_create(by=agent, name="CRM")
    billing, _ = tokens.token_create(by=agent, name="Billing <system>", expires_on=day)
    theirs, _ = tokens.token_create(by=administrator, name="Administrator's script")

    html = preferences_html(agent_client)

    for token in (crm, billing):
        assert escape(token.name) in html
        assert f"<code>{token.token_key}…</code>" in html
        assert f'action="{reverse("api_token_revoke", args=[token.token_key])}"' in html
        # The revoke button names its token for a screen reader.
        assert f'aria-label="Revoke the token “{escape(token.name)}”"' in html
    assert "Billing <system>" not in html  # escaped, as any name
    expiry = date_format(timezone.localtime(billing.expiry), "SHORT_DATETIME_FORMAT")
    assert expiry in html and "Never" in html
    assert html.index(billing.token_key) < html.index(crm.token_key)  # newest first
    assert "Administrator's script" not in html and theirs.token_key not in html


def test_a_user_without_tokens_is_told_so(agent_client):
    html = preferences_html(agent_client)
    assert "You have no API tokens." in html
    assert f'action="{reverse("api_token_create")}#api-tokens"' in html


def test_the_pages_queries_do_not_grow_with_the_tokens(agent, agent_client):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(reverse("preferences")).status_code == 200
        return len(queries)

    tokens.token_create(by=agent, name="System 0")
    count()  # the session's first page also reads the user's preferences
    one = count()
    for number in range(1, 10):
        tokens.token_create(by=agent, name=f"System {number}")
    assert ApiToken.objects.filter(user=agent).count() == 10
    assert count() == one


# --- the docs and the schema --------------------------------------------------------------------


class Resources(HTMLParser):
    """What a page loads: scripts, stylesheets and icons, and its inline styles."""

    def __init__(self):
        super().__init__()
        self.scripts: list[str | None] = []
        self.links: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs.get("src"))
        elif tag == "link":
            self.links.append(attrs.get("href") or "")
        elif tag == "style":
            self._in_style = True
            self.styles.append("")

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles[-1] += data


def test_the_docs_page_loads_everything_from_the_desk_itself(admin_client):
    response = admin_client.get(reverse("api:docs"))

    assert response.status_code == 200
    page = Resources()
    page.feed(response.content.decode())
    assert page.scripts and None not in page.scripts  # no inline script
    for address in [*page.scripts, *page.links]:
        assert address.startswith("/") and not address.startswith("//"), address
        assert "http" not in address, address
    static = [a for a in [*page.scripts, *page.links] if a.startswith("/static/")]
    assert len(static) == len(page.scripts) - 1 + len(page.links)  # all but the start-up script
    for address in static:
        assert finders.find(address.removeprefix("/static/")), f"{address} is not ours"
    start_up = [a for a in page.scripts if not a.startswith("/static/")]
    assert start_up == [reverse("api:docs") + "?script="]
    script = admin_client.get(start_up[0])
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert reverse("api:schema") in script.content.decode()

    # The desk's policy, with the page's one inline style allowed by its hash and nothing more.
    policy = dict(
        (directive.strip().split(" ", 1) + [""])[:2]
        for directive in response["Content-Security-Policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"].split() == [
        "'self'",
        *(
            f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
            for s in page.styles
        ),
    ]
    assert "unsafe" not in response["Content-Security-Policy"]


def test_the_rest_of_the_desk_keeps_its_strict_policy(admin_client):
    policy = admin_client.get(reverse("preferences"))["Content-Security-Policy"]
    assert "style-src 'self';" in policy + ";" and "sha256" not in policy


def test_the_docs_page_is_a_desk_page_behind_the_sign_in_and_the_customer_wall(client):
    for address in (reverse("api:docs"), reverse("api:docs") + "?script="):
        response = client.get(address)
        assert response.status_code == 302, address
        assert response["Location"].startswith(reverse("login"))
    customer = f.customer_of(f.ContactFactory())
    assert signed_in(customer).get(reverse("api:docs")).status_code == 403


def test_the_schema_is_an_openapi_3_document(admin_client):
    response = admin_client.get(reverse("api:schema"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert TICKETS in schema["paths"] and "/api/v1/contracts/" in schema["paths"]
    as_json = admin_client.get(reverse("api:schema"), {"format": "json"})
    assert as_json.status_code == 200 and as_json.json()["openapi"] == schema["openapi"]
