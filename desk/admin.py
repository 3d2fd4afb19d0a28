from django.contrib import admin

from .models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "contracts_enabled"]
    list_filter = ["contracts_enabled"]
    list_editable = ["contracts_enabled"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
