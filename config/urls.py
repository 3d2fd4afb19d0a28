from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from api import pages as api_pages
from contracts import urls as contract_urls
from customers import urls as customer_urls
from desk import views as desk_views
from helpcentre.auth_forms import StaffAuthenticationForm
from plans import urls as plan_urls
from tickets import urls as ticket_urls
from tickets import views as ticket_views

# Two pages sit above the app whose address they have: the plan overview reads contracts, and the
# account page reads tickets and contracts. Each joins its app's namespace here.
# The home page (tickets.views.HomeView) reads tickets and contracts too.
plan_pages = ([*plan_urls.urlpatterns, *contract_urls.plan_urlpatterns], "plans")
customer_pages = ([*customer_urls.urlpatterns, *ticket_urls.account_urlpatterns], "customers")

urlpatterns = [
    path("", ticket_views.HomeView.as_view(), name="home"),
    path("search/", ticket_views.SearchView.as_view(), name="search"),
    path("healthz", desk_views.healthz, name="healthz"),
    # The preferences page with the API tokens section (``desk``'s page, composed by ``api``).
    path(
        "accounts/preferences/", api_pages.PreferencesWithTokensView.as_view(), name="preferences"
    ),
    path(
        "accounts/preferences/api-tokens/",
        api_pages.TokenCreateView.as_view(),
        name="api_token_create",
    ),
    path(
        "accounts/preferences/api-tokens/<str:token_key>/revoke/",
        api_pages.TokenRevokeView.as_view(),
        name="api_token_revoke",
    ),
    # The staff sign-in refuses a customer as it refuses a wrong password (customers sign in at
    # /help/sign-in/); ``desk`` knows nothing of customers, so the form is chosen here.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=StaffAuthenticationForm),
        name="login",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("language/", desk_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("settings/", desk_views.SettingsView.as_view(), name="settings"),
    path("settings/automation/slas/", include("sla.urls")),
    path("settings/automation/support-plans/", include(plan_pages)),
    path("settings/customization/", include("desk.urls")),
    path("contracts/", include("contracts.urls")),
    path("customers/", include(customer_pages)),
    path("tickets/", include("tickets.urls")),
    path("help/", include("helpcentre.urls")),
    # The REST API, its schema and docs (SPEC section 12).
    path("api/", include("api.urls")),
    # Settings > Automation > Workflow rules and Email templates, and My tasks.
    path("", include("automation.urls")),
]

# A malformed request (a NUL in the query string) or an unknown address answers JSON on the API's
# addresses, the desk's pages everywhere else.
handler400 = "api.errors.bad_request"
handler404 = "api.errors.page_not_found"
