from django.db.models import Count, Q

from .models import Account


def account_list(search: str = ""):
    accounts = Account.objects.annotate(contact_count=Count("contacts", distinct=True))
    search = (search or "").strip()
    if search:
        accounts = accounts.filter(
            Q(name__icontains=search)
            | Q(phone__icontains=search)
            | Q(contacts__last_name__icontains=search)
            | Q(contacts__email__icontains=search)
        )
    return accounts.order_by("name", "pk")


def account_get(pk):
    return Account.objects.get(pk=pk)


def account_contacts(account):
    return account.contacts.order_by("last_name", "first_name", "pk")
