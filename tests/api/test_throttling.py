"""Requests per token are throttled (SPEC section 12): beyond ``API_RATE`` a 429 with
``Retry-After``; each token is counted apart, in the database every worker shares."""

import pytest

from api import throttling
from customers.models import Account
from tests import factories as f
from tests.api.conftest import JSON, token_client
from tests.conftest import signed_in

RATE = 3


@pytest.fixture(autouse=True)
def three_a_minute(settings):
    settings.API_RATE = f"{RATE}/minute"


def spend(client, count=RATE, url="/api/v1/accounts/"):
    for _ in range(count):
        response = client.get(url)
        assert response.status_code == 200, response.content


def test_the_request_after_the_rate_is_429_with_retry_after(agent_api):
    spend(agent_api)
    response = agent_api.get("/api/v1/tickets/")
    assert response.status_code == 429
    assert set(response.json()) == {"detail"}
    assert 0 < int(response.headers["Retry-After"]) <= 60
    # Writes count too, and a throttled write saves nothing.
    response = agent_api.post("/api/v1/accounts/", {"name": "Acme"}, content_type=JSON)
    assert response.status_code == 429
    assert not Account.objects.exists()


def test_writes_count_as_requests(agent_api):
    for number in range(RATE):
        response = agent_api.post("/api/v1/accounts/", {"name": f"A{number}"}, content_type=JSON)
        assert response.status_code == 201
    assert agent_api.get("/api/v1/accounts/").status_code == 429


def test_each_token_is_counted_apart(agent, administrator):
    first, second = token_client(agent), token_client(agent)
    spend(first)
    assert first.get("/api/v1/accounts/").status_code == 429
    spend(second)
    assert second.get("/api/v1/accounts/").status_code == 429
    someone_else = token_client(administrator)
    spend(someone_else)


def test_the_count_lives_in_the_database_one_row_a_window(agent_api, request_counts):
    spend(agent_api)
    assert agent_api.get("/api/v1/accounts/").status_code == 429
    [count] = request_counts.all()
    assert count.hits == RATE + 1 and count.window_start % 60 == 0
    request_counts.update(window_start=count.window_start - 60)  # the minute is over
    spend(agent_api)


def test_the_scheduled_work_forgets_counts_older_than_a_day(agent_api, request_counts):
    spend(agent_api, count=1)
    [count] = request_counts.all()
    assert throttling.forget_old_counts(now=count.window_start + 86_399) == 0
    assert throttling.forget_old_counts(now=count.window_start + 86_401) == 1


def test_a_session_is_counted_per_user(agent):
    session = signed_in(agent)
    spend(session)
    assert session.get("/api/v1/accounts/").status_code == 429
    assert signed_in(agent).get("/api/v1/accounts/").status_code == 429
    spend(token_client(agent))  # a token of the same user has a count of its own


def test_the_rate_follows_the_setting(agent_api, settings):
    settings.API_RATE = "5/minute"
    spend(agent_api, count=5)
    assert agent_api.get("/api/v1/accounts/").status_code == 429


def test_a_different_user_is_counted_apart(agent_api, department):
    spend(agent_api)
    assert agent_api.get("/api/v1/accounts/").status_code == 429
    other = f.AgentFactory(username="other", departments=[department])
    spend(token_client(other))
