from django.contrib import admin

from .models import Department, Preferences


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
