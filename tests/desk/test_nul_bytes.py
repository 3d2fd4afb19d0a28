"""A NUL character in a query string or a posted form is refused with 400, on every page.

PostgreSQL can neither store NUL in text nor compare text with it ("A string literal cannot
contain NUL"), so a search for "a\\x00b" was a 500. ``desk.middleware.RefuseNulMiddleware``
refuses it at the door, for the pages, the admin and the sign-in page alike.

NOTE: these tests request pages normally, through ``settings.MIDDLEWARE``; they pass once
``"desk.middleware.RefuseNulMiddleware"`` is listed there (right after WhiteNoise, before the
session middleware), which ``test_the_middleware_is_installed_before_the_session`` checks.
"""

import pytest
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponse
from django.test import RequestFactory

from desk.middleware import RefuseNulMiddleware
from tickets.models import Ticket

NUL = "a\x00b"
MIDDLEWARE = "desk.middleware.RefuseNulMiddleware"


def test_the_middleware_is_installed_before_the_session():
    assert MIDDLEWARE in settings.MIDDLEWARE
    position = settings.MIDDLEWARE.index(MIDDLEWARE)
    assert position < settings.MIDDLEWARE.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )


@pytest.mark.parametrize(
    "request_for",
    [
        lambda rf: rf.get("/customers/", {"q": NUL}),
        lambda rf: rf.get("/tickets/", {NUL: "1"}),
        lambda rf: rf.post("/tickets/new/", {"subject": NUL}),
        lambda rf: rf.post("/tickets/new/", {"tags": ["ok", NUL]}),
    ],
)
def test_the_middleware_refuses_nul_anywhere_in_the_data(request_for):
    middleware = RefuseNulMiddleware(lambda request: HttpResponse("reached"))
    with pytest.raises(BadRequest):
        middleware(request_for(RequestFactory()))


def test_the_middleware_lets_other_requests_through():
    middleware = RefuseNulMiddleware(lambda request: HttpResponse("reached"))
    rf = RequestFactory()
    for request in (
        rf.get("/customers/", {"q": "Acme ² ① 0"}),
        rf.post("/tickets/new/", {"subject": "Printer \\x00 jam"}),
    ):
        assert middleware(request).content == b"reached"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/customers/", {"q": NUL}),
        ("/tickets/", {"account": NUL}),
        ("/tickets/", {"contract": NUL}),
        ("/tickets/", {"page": NUL}),
        ("/contracts/", {"account": NUL}),
        ("/settings/automation/slas/", {"department": NUL}),
        ("/admin/contracts/contract/", {"q": NUL}),
        ("/admin/customers/account/", {"q": NUL}),
    ],
)
def test_a_query_string_with_nul_answers_400(admin_client, path, params):
    assert admin_client.get(path, params).status_code == 400


@pytest.mark.django_db
def test_a_posted_form_with_nul_answers_400_and_saves_nothing(admin_client, department):
    before = Ticket.objects.count()
    response = admin_client.post(
        "/tickets/new/", {"subject": NUL, "department": department.pk, "priority": "high"}
    )
    assert response.status_code == 400
    assert Ticket.objects.count() == before


@pytest.mark.django_db
def test_the_sign_in_page_refuses_nul_too(client):
    response = client.post("/accounts/login/", {"username": NUL, "password": "x"})
    assert response.status_code == 400
