"""The wall between customers and staff (SPEC section 9: every staff page, the admin and the API
refuse a customer).

A signed-in customer reaches the help centre (``/help/``), the language switch, static files and
the health check; ``/`` sends them to ``/help/``; any other address answers 403 with the help
centre's page saying it is for staff: never a staff page, never the admin, whatever a view
checks or forgets to check. Staff pay no query for it once their session knows they are staff
(``helpcentre.access.is_customer``).

It also ends what is left of a session whose user can no longer sign in (a revoked contact, a
deactivated staff member): Django already treats that request as anonymous; the session is
flushed, so nothing cached in it outlives the user's access.

Placed after the authentication, preferences and messages middleware (the 403 page speaks the
reader's language) and after the CSP middleware (which puts its header on this page too).
"""

from functools import cache

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse

from .access import customer_contact, is_customer


def _path_of(url_name: str) -> str:
    """The address of ``url_name`` as ``request.path_info`` has it (without a script prefix)."""
    url, prefix = reverse(url_name), get_script_prefix()
    return "/" + url.removeprefix(prefix) if url.startswith(prefix) else url


@cache
def open_to_customers() -> tuple[str, ...]:
    """The path prefixes a customer may open (read once: the URLconf does not change)."""
    return (
        _path_of("helpcentre:home"),
        _path_of("set_language"),
        _path_of("healthz"),
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class CustomerWallMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated:
            if SESSION_KEY in request.session:  # its user was deactivated (or deleted)
                request.session.flush()
            return self.get_response(request)
        if is_customer(request):
            path = request.path_info
            if path == "/":
                return redirect("helpcentre:home")
            if not path.startswith(open_to_customers()):
                context = {"help_contact": customer_contact(request)}
                return render(request, "helpcentre/403.html", context, status=403)
        return self.get_response(request)
