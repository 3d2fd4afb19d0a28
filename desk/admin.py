from django.contrib import admin
from django.utils.translation import gettext_noop

from .models import Department, Preferences

# Headings of Django's own admin templates that Django's zh_Hans catalogue does not translate
# yet; listed here so that our catalogue, searched first (LOCALE_PATHS), translates them.
DJANGO_ADMIN_STRINGS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "contracts_enabled"]
    list_filter = ["contracts_enabled"]
    list_editable = ["contracts_enabled"]
    search_fields = ["name"]
    filter_horizontal = ["members"]


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "time_zone"]
    list_filter = ["language"]
    list_select_related = ["user"]
    search_fields = ["user__username", "time_zone"]
