from django.db.models import Count

from .models import Account


def account_list():
    return Account.objects.annotate(contact_count=Count("contacts", distinct=True)).order_by(
        "name", "pk"
    )


def account_get(pk):
    return Account.objects.get(pk=pk)
