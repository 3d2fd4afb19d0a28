from django.contrib import admin

from .models import Account, Contact


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "website", "created_at"]
    search_fields = ["name", "contacts__email", "contacts__last_name"]
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["__str__", "account", "email", "phone"]
    list_select_related = ["account"]
    search_fields = ["first_name", "last_name", "email", "account__name"]
    autocomplete_fields = ["account"]
