from django.contrib import admin
from django.urls import include, path

from desk import views as desk_views

urlpatterns = [
    path("", desk_views.home, name="home"),
    path("accounts/preferences/", desk_views.PreferencesView.as_view(), name="preferences"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("language/", desk_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("settings/", desk_views.SettingsView.as_view(), name="settings"),
    path("settings/automation/slas/", include("sla.urls")),
    path("settings/automation/support-plans/", include("plans.urls")),
    path("settings/customization/", include("desk.urls")),
    path("contracts/", include("contracts.urls")),
    path("customers/", include("customers.urls")),
    path("tickets/", include("tickets.urls")),
]
