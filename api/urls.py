"""``/api/``: the REST API (``v1/``), its OpenAPI schema and its interactive docs.

The API's addresses opt out of the sign-in redirect (``LoginRequiredMiddleware``): a token is read
by DRF, after the middleware, and a request without one answers 401 in JSON rather than a
redirect to a sign-in page. The docs page is a page of the desk like any other."""

import base64
import hashlib
import re

from csp.decorators import csp_update
from django.contrib.auth.decorators import login_not_required, login_required
from django.template.loader import get_template
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views


class Router(DefaultRouter):
    include_format_suffixes = False  # JSON only: no ".json" addresses


router = Router()
router.register("accounts", views.AccountViewSet, basename="account")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("slas", views.SLAViewSet, basename="sla")
router.register("plans", views.SupportPlanViewSet, basename="plan")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("tasks", views.TaskViewSet, basename="task")

nested = [
    path(
        "contracts/<int:contract_pk>/ledger/",
        views.ContractLedgerViewSet.as_view({"get": "list"}),
        name="contract-ledger",
    ),
    path(
        "contracts/<int:contract_pk>/adjustments/",
        views.ContractLedgerViewSet.as_view({"post": "create"}),
        name="contract-adjustments",
    ),
    path(
        "tickets/<int:ticket_pk>/replies/",
        views.ReplyViewSet.as_view({"get": "list", "post": "create"}),
        name="ticket-replies",
    ),
]


def _without_sign_in_redirect(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _without_sign_in_redirect(pattern.url_patterns)
        else:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


def _inline_style_hashes(template_name: str) -> list[str]:
    """The CSP hashes (``'sha256-…'``) of the ``<style>`` elements written in a template.

    Swagger UI itself runs under the desk's policy (its scripts and stylesheet are our own static
    files, from drf-spectacular-sidecar, and the page's start-up script is a file of its own,
    ``?script=``); only drf-spectacular's page template carries one inline ``<style>`` (box-sizing
    and the page's background). That style alone is allowed, by its hash: no ``'unsafe-inline'``,
    and nothing else the policy refuses. Read from the template, so an upgrade that changes it
    changes the hash with it."""
    source = get_template(template_name).template.source
    styles = re.findall(r"<style[^>]*>(.*?)</style>", source, flags=re.DOTALL)
    digests = (hashlib.sha256(css.encode()).digest() for css in styles)
    return [f"'sha256-{base64.b64encode(digest).decode()}'" for digest in digests]


# DRF marks its views as needing no sign-in (it authenticates them itself, and lets anyone in
# under drf-spectacular's ``SERVE_PERMISSIONS``): the docs page asks for it again, as every page.
docs_view = login_required(
    csp_update({"style-src": _inline_style_hashes(SpectacularSwaggerSplitView.template_name)})(
        SpectacularSwaggerSplitView.as_view(url_name="api:schema")
    )
)

app_name = "api"
urlpatterns = [
    path("v1/", include(_without_sign_in_redirect([*router.urls, *nested]))),
    path(
        "schema/",
        login_not_required(SpectacularAPIView.as_view(api_version="v1")),
        name="schema",
    ),
    path("docs/", docs_view, name="docs"),
]
