import pytest
from django.test import Client

from api import tokens


def token_client(user) -> Client:
    """A client sending a new personal token of ``user`` (as curl would), no session."""
    _token, secret = tokens.token_create(by=user, name="Tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def admin_api(administrator):
    return token_client(administrator)


@pytest.fixture
def agent_api(agent):
    return token_client(agent)
