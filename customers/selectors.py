from django.db import models
from django.db.models import Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from desk.search import contains

from .models import Account, Contact


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


def contact_for_user(user) -> Contact | None:
    """The contact ``user`` signs in as (with its account): a customer of the help centre. None
    for staff, for anonymous users and for a revoked customer (whose user is inactive)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return Contact.objects.select_related("account").filter(user=user).first()


class HelpCentreAccess(models.TextChoices):
    """Where a contact stands with the help centre (SPEC section 9), read from its user."""

    NOT_INVITED = "not_invited", _("Not invited")
    INVITED = "invited", _("Invited")  # has not signed in yet
    ACTIVE = "active", _("Has access")  # has signed in
    REVOKED = "revoked", _("Revoked")


# The access of each contact in one expression over the user row the list joins anyway.
HELP_CENTRE_ACCESS = Case(
    When(user__isnull=True, then=Value(HelpCentreAccess.NOT_INVITED.value)),
    When(user__is_active=False, then=Value(HelpCentreAccess.REVOKED.value)),
    When(user__last_login__isnull=True, then=Value(HelpCentreAccess.INVITED.value)),
    default=Value(HelpCentreAccess.ACTIVE.value),
    output_field=models.CharField(),
)


def contacts_with_access(contacts: QuerySet[Contact]) -> QuerySet[Contact]:
    """``contacts`` with their help-centre user and ``help_centre_access`` (a
    :class:`HelpCentreAccess` value): no query a contact."""
    return contacts.select_related("user").annotate(help_centre_access=HELP_CENTRE_ACCESS)


def contact_access(contact: Contact) -> HelpCentreAccess:
    """``contact``'s :class:`HelpCentreAccess`: as annotated by :func:`contacts_with_access`, or
    read from its user (a query unless the user was read with it)."""
    annotated = getattr(contact, "help_centre_access", None)
    if annotated is not None:
        return HelpCentreAccess(annotated)
    user = contact.user if contact.user_id else None
    if user is None:
        return HelpCentreAccess.NOT_INVITED
    if not user.is_active:
        return HelpCentreAccess.REVOKED
    if user.last_login is None:
        return HelpCentreAccess.INVITED
    return HelpCentreAccess.ACTIVE


def account_contacts(account):
    return contacts_with_access(account.contacts.order_by("last_name", "first_name", "pk"))


ACCOUNT_SUGGESTIONS = 20


def account_suggestions(search: str = "", *, limit: int = ACCOUNT_SUGGESTIONS):
    """At most ``limit`` accounts whose name contains ``search``, by name: a picker's list."""
    search = (search or "").strip()
    return Account.objects.filter(contains("name", search)).order_by("name", "pk")[:limit]


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
    department (as on the account list), so ``user`` sees them all. On PostgreSQL an index
    serves the match (``desk.search``)."""
    text = (q or "").strip()
    if not text:
        return Account.objects.none()
    closeness = Case(
        When(name__iexact=text, then=Value(0)),
        When(name__istartswith=text, then=Value(1)),
        default=Value(2),
    )
    return Account.objects.filter(contains("name", text)).order_by(closeness, "name", "pk")
