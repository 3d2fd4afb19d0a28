"""Contacts' access to the help centre (SPEC section 9): invite, revoke, and what follows.

A contact signs in to the help centre with a user of its own (``Contact.user``): made by the first
invitation, never staff, without any permission; its username is the contact's email address in
lower case, which is what the help centre's sign-in asks for. Revoking access deactivates that
user (Django refuses an inactive user at its next request, mid-session too) and kills its password
and links; a new invitation reactivates the same user ("a contact has one account").

Accounts and contacts themselves are made and changed through ``account_create`` and the like (the
API's door; the back office saves them through its forms, with the same model validation).

Each service takes the acting user (``by``), who needs ``customers.change_contact``, and locks the
contact's row (``customers.locks``) before it reads what it checks. The invitation's email is
queued in the same transaction (``desk.mail``): if the invitation rolls back, so does the email.
"""

from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from desk import mail
from desk.access import require_permission

from .locks import lock_account, lock_contact
from .models import Account, Contact

CHANGE_CONTACT = "customers.change_contact"
DELETE_CONTACT = "customers.delete_contact"

# The help centre's sign-in name is the email address: it must fit a username.
USERNAME_MAX_LENGTH = get_user_model()._meta.get_field("username").max_length or 150

NEEDS_EMAIL = gettext_lazy(
    "This contact has no email address. Add one before inviting them to the help centre."
)
EMAIL_TOO_LONG = gettext_lazy(
    "This email address is too long to sign in with (at most %(limit)d characters)."
)
EMAIL_TAKEN = gettext_lazy(
    "Someone else already signs in with the email address %(email)s. Each contact needs an "
    "address of their own to be invited."
)
NOT_INVITED = gettext_lazy("This contact was never invited to the help centre.")
ACCESS_REVOKED = gettext_lazy(
    "Your access to the help centre was revoked. Ask your support contact for a new invitation."
)
NOT_A_CUSTOMER = gettext_lazy("This user is not a contact of a customer.")


def _email_is_taken(email: str, *, username: str, user_id: int | None) -> bool:
    """Whether another user signs in with ``email`` (as its username, or as its address)."""
    others = get_user_model().objects.filter(Q(username__iexact=username) | Q(email__iexact=email))
    if user_id is not None:
        others = others.exclude(pk=user_id)
    return others.exists()


def contact_invite(*, by, contact: Contact, is_account_admin: bool | None = None) -> Contact:
    """Invite ``contact`` to the help centre (or again): make or reactivate its user, and email it
    a one-time link to choose a password (Django's password-reset token, valid for
    ``PASSWORD_RESET_TIMEOUT``; it dies once the password is set or the contact signs in).

    ``is_account_admin``: whether the contact sees all the account's tickets (None: unchanged).
    A contact already signed in keeps its password until it uses the new link."""
    require_permission(by, CHANGE_CONTACT)
    User = get_user_model()
    with transaction.atomic():
        locked = lock_contact(contact.pk)
        email = (locked.email or "").strip()
        if not email:
            raise ValidationError(NEEDS_EMAIL, code="no_email")
        username = email.lower()
        if len(username) > USERNAME_MAX_LENGTH:
            raise ValidationError(
                EMAIL_TOO_LONG, code="email_too_long", params={"limit": USERNAME_MAX_LENGTH}
            )
        if _email_is_taken(email, username=username, user_id=locked.user_id):
            raise ValidationError(EMAIL_TAKEN, code="email_taken", params={"email": email})
        user = locked.user
        try:
            with transaction.atomic():  # a user of that name made meanwhile: refused as above
                if user is None:
                    user = User(username=username, email=email, is_staff=False, is_active=True)
                    user.first_name = locked.first_name
                    user.last_name = locked.last_name
                    user.set_unusable_password()
                    user.save()
                else:
                    if not user.is_active:
                        # Back after a revocation: only the new link lets them in, never a
                        # password from before.
                        user.is_active = True
                        user.set_unusable_password()
                    # The contact's address may have changed since the last invitation.
                    user.username, user.email = username, email
                    user.first_name, user.last_name = locked.first_name, locked.last_name
                    user.save(
                        update_fields=[
                            "username",
                            "email",
                            "first_name",
                            "last_name",
                            "is_active",
                            "password",
                        ]
                    )
        except IntegrityError as error:
            raise ValidationError(
                EMAIL_TAKEN, code="email_taken", params={"email": email}
            ) from error
        locked.user = user
        if is_account_admin is not None:
            locked.is_account_admin = is_account_admin
        locked.invited_at = timezone.now()
        locked.save(update_fields=["user", "is_account_admin", "invited_at"])
        mail.queue(mail.messages_for([user], partial(_compose_invitation, locked, user, by)))
    return locked


def contact_revoke(*, by, contact: Contact) -> Contact:
    """Take ``contact``'s access to the help centre away, at once: its user is deactivated (its
    sessions are refused from their next request on) and its password and emailed links die.
    The user is kept, for a new invitation to reuse. Revoking twice changes nothing."""
    require_permission(by, CHANGE_CONTACT)
    with transaction.atomic():
        locked = lock_contact(contact.pk)
        if locked.user is None:
            raise ValidationError(NOT_INVITED, code="not_invited")
        _deactivate(locked.user)
    return locked


def contact_set_account_admin(*, by, contact: Contact, is_account_admin: bool) -> Contact:
    """Whether ``contact`` sees every ticket of its account in the help centre, or only its own."""
    require_permission(by, CHANGE_CONTACT)
    with transaction.atomic():
        locked = lock_contact(contact.pk)
        if locked.is_account_admin != is_account_admin:
            locked.is_account_admin = is_account_admin
            locked.save(update_fields=["is_account_admin"])
    return locked


def contact_delete(*, by, contact: Contact) -> None:
    """Delete ``contact``; its help-centre user, if any, is deactivated first (kept, inactive,
    so that nobody can sign in with it: without its contact it would no longer be a customer)."""
    require_permission(by, DELETE_CONTACT)
    with transaction.atomic():
        locked = lock_contact(contact.pk)
        if locked.user is not None:
            _deactivate(locked.user)
        locked.delete()


def contact_accept_invitation(*, by, password: str) -> Contact:
    """The invited contact's user (``by``, who followed the emailed link) chooses its password.
    The caller has checked the link's token and the password's strength (``SetPasswordForm``).

    Under the contact's lock: a revocation at the same moment wins, whichever commits first."""
    contact_id = Contact.objects.filter(user=by).values_list("pk", flat=True).first()
    if contact_id is None:
        raise ValidationError(NOT_A_CUSTOMER, code="not_a_customer")
    with transaction.atomic():
        locked = lock_contact(contact_id)
        user = locked.user
        if user is None or user.pk != by.pk:
            raise ValidationError(NOT_A_CUSTOMER, code="not_a_customer")
        if not user.is_active:
            raise ValidationError(ACCESS_REVOKED, code="revoked")
        user.set_password(password)
        user.save(update_fields=["password"])
    by.password = user.password  # the caller signs ``by`` in with its new password
    return locked


def _deactivate(user) -> None:
    if user.is_active or user.has_usable_password():
        user.is_active = False
        user.set_unusable_password()  # a new password hash: outstanding links die with it
        user.save(update_fields=["is_active", "password"])


def invitation_link(user) -> str:
    """The absolute one-time link where ``user`` chooses its password."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("helpcentre:welcome", args=[uidb64, default_token_generator.make_token(user)])
    return settings.DESK_URL.rstrip("/") + path


def _link_lifetime() -> str:
    seconds = int(settings.PASSWORD_RESET_TIMEOUT)
    days, hours = seconds // 86400, seconds // 3600
    if days and seconds % 86400 == 0:
        return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
    return ngettext("%(count)d hour", "%(count)d hours", max(hours, 1)) % {"count": max(hours, 1)}


def _compose_invitation(contact: Contact, user, by) -> tuple[str, str]:
    """The invitation, in the active language (the reader's: see ``desk.mail``)."""
    values = {
        "name": str(contact) or contact.email,
        "account": contact.account.name,
        "inviter": by.get_full_name() or by.get_username(),
        "link": invitation_link(user),
        "lifetime": _link_lifetime(),
        "sign_in": settings.DESK_URL.rstrip("/") + reverse("helpcentre:sign_in"),
        "email": user.username,
    }
    subject = _("Your invitation to the help centre of %(account)s") % values
    body = "\n\n".join(
        [
            _("Hello %(name)s,") % values,
            _(
                "%(inviter)s invited you to the help centre, where you can see the support "
                "contracts and plans of %(account)s, the credits left and their use, and raise and "
                "follow your tickets."
            )
            % values,
            _("Choose your password here (the link works once, for %(lifetime)s):") % values
            + "\n"
            + values["link"],
            _("Then sign in at %(sign_in)s with your email address, %(email)s.") % values,
        ]
    )
    return subject, body


# Accounts and contacts themselves (the API's door; the back office edits them through its forms).
ACCOUNT_FIELDS = frozenset({"name", "website", "phone"})
CONTACT_FIELDS = frozenset({"first_name", "last_name", "email", "phone"})


def _save_checked(record, fields: dict, allowed: frozenset[str]):
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(record, name, value.strip() if isinstance(value, str) else value)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def account_create(*, by, **fields) -> Account:
    """A new customer account (any of ``name``, ``website``, ``phone``; a name is required)."""
    require_permission(by, "customers.add_account")
    return _save_checked(Account(), fields, ACCOUNT_FIELDS)


@transaction.atomic
def account_update(*, by, account: Account, **fields) -> Account:
    """Change the account's fields given; the others keep what is stored."""
    require_permission(by, "customers.change_account")
    return _save_checked(lock_account(account.pk), fields, ACCOUNT_FIELDS)


@transaction.atomic
def contact_create(*, by, account: Account, **fields) -> Contact:
    """A new contact of ``account`` (not invited: see :func:`contact_invite`)."""
    require_permission(by, "customers.add_contact")
    return _save_checked(Contact(account=account), fields, CONTACT_FIELDS)


@transaction.atomic
def contact_update(*, by, contact: Contact, **fields) -> Contact:
    """Change the contact's own fields given (never its help-centre user: an invitation does)."""
    require_permission(by, CHANGE_CONTACT)
    return _save_checked(lock_contact(contact.pk), fields, CONTACT_FIELDS)
