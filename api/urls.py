"""``/api/``: the REST API (``v1/``), its OpenAPI schema and its interactive docs.

The API's addresses opt out of the sign-in redirect (``LoginRequiredMiddleware``): a token is read
by DRF, after the middleware, and a request without one answers 401 in JSON rather than a
redirect to a sign-in page. The docs page is a page of the desk like any other."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
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


app_name = "api"
urlpatterns = [
    path("v1/", include(_without_sign_in_redirect([*router.urls, *nested]))),
    path(
        "schema/",
        login_not_required(SpectacularAPIView.as_view(api_version="v1")),
        name="schema",
    ),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
