from django.db.models import Case, Count, Q, QuerySet, Value, When

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


ACCOUNT_SUGGESTIONS = 20


def account_suggestions(search: str = "", *, limit: int = ACCOUNT_SUGGESTIONS):
    """At most ``limit`` accounts whose name contains ``search``, by name: a picker's list."""
    search = (search or "").strip()
    return Account.objects.filter(name__icontains=search).order_by("name", "pk")[:limit]


def accounts_typed(text: str) -> list[Account]:
    """The accounts a person means by ``text``: the one with that id, else those with exactly
    that name (case aside). At most two: the caller needs only to tell one from several."""
    text = (text or "").strip()
    if not text:
        return []
    if text.isascii() and text.isdigit() and len(text) < 19:  # fits a 64-bit id
        found = list(Account.objects.filter(pk=int(text)))
        if found:
            return found
    return list(Account.objects.filter(name__iexact=text).order_by("pk")[:2])


def account_search(user, q: str) -> QuerySet[Account]:
    """The top bar's search among accounts: those whose name contains ``q`` (any case), the name
    itself first, then names starting with it, then by name. Accounts are shared by every
    department (as on the account list), so ``user`` sees them all. On PostgreSQL a trigram
    index serves the match (migration ``customers.0002_account_name_search``)."""
    text = (q or "").strip()
    if not text:
        return Account.objects.none()
    closeness = Case(
        When(name__iexact=text, then=Value(0)),
        When(name__istartswith=text, then=Value(1)),
        default=Value(2),
    )
    return Account.objects.filter(name__icontains=text).order_by(closeness, "name", "pk")
