"""Sign-in throttling (django-axes) on the desk's sign-in and the back office's (issue 14)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command

from tests import factories as f

pytestmark = pytest.mark.django_db

LOCKED = "Too many wrong passwords for this username from this address"


def sign_in(client, username, password, path="/accounts/login/"):
    return client.post(path, {"username": username, "password": password})


@pytest.fixture
def ada(db):
    return f.AgentFactory(username="ada", is_staff=True)


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/"])
def test_repeated_wrong_passwords_lock_the_username_out_even_with_the_right_one(client, ada, path):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "ada", "wrong", path).status_code == 200  # the form, with an error
    response = sign_in(client, "ada", "wrong", path)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    response = sign_in(client, "ada", "password", path)  # the right password, too late
    assert response.status_code == 429 and "_auth_user_id" not in client.session


def test_fifty_wrong_passwords_never_sign_in(client, ada):
    answers = {sign_in(client, "ada", f"guess {n}").status_code for n in range(50)}
    assert answers == {200, 429}
    assert sign_in(client, "ada", "password").status_code == 429


def test_the_lock_is_per_username_and_address(client, ada):
    f.AgentFactory(username="bo")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ada", "wrong")
    assert sign_in(client, "bo", "password").status_code == 302  # another person signs in
    other_address = client.post(
        "/accounts/login/", {"username": "ada", "password": "password"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other_address.status_code == 302


def test_an_administrator_lifts_the_lock(client, ada):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "ada", "wrong")
    assert AccessAttempt.objects.filter(username="ada").exists()
    call_command("axes_reset_username", "ada")
    assert sign_in(client, "ada", "password").status_code == 302


def test_the_back_office_lists_the_attempts_to_reset(client, ada):
    for _ in range(3):
        sign_in(client, "ada", "wrong")
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200 and "ada" in page.content.decode()


def test_a_good_sign_in_clears_the_failures(client, ada):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "ada", "wrong")
    assert sign_in(client, "ada", "password").status_code == 302
    client.logout()
    assert sign_in(client, "ada", "wrong").status_code == 200  # counting starts again
