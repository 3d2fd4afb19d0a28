"""Where a form sends the user back to: a ``next`` address it posted, if it is a path of this
desk; anything else ("abc", a URL name, another host, ``//host``) goes to a default instead."""

from django.utils.http import url_has_allowed_host_and_scheme


def posted_next(request, default: str) -> str:
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
