"""Personal API tokens (SPEC section 12): made and revoked by their owner on the preferences page,
shown once, stored as a digest (django-rest-knox).

Only staff get tokens: a customer's user (a contact's) never does, and has no API access. A user
has at most ``API_TOKENS_PER_USER`` tokens, counted under a lock on the user's row."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.selectors import contact_for_user

from .authentication import CUSTOMERS_REFUSED
from .models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
NAME_REQUIRED = _("Name the token after what will use it (such as “Billing system”).")
NAME_TOO_LONG = _("A token's name is at most %(limit)d characters.")
EXPIRY_PAST = _("Choose a day after today, or no expiry.")
TOO_MANY = _("You already have %(limit)d tokens. Revoke one you no longer use first.")


def tokens_of(user):
    """The user's tokens, newest first (expired ones included until knox deletes them)."""
    return ApiToken.objects.filter(user=user).order_by("-created")


def token_create(*, by, name: str, expires_on: datetime.date | None = None) -> tuple[ApiToken, str]:
    """A new token for ``by``, valid until the end of ``expires_on`` (in the desk's time zone)
    or until revoked. Returns the token and its secret, which is never stored nor shown again."""
    if contact_for_user(by) is not None or not by.is_active:
        raise PermissionDenied(CUSTOMERS_REFUSED)
    name = (name or "").strip()
    errors: dict[str, Any] = {}
    if not name:
        errors["name"] = NAME_REQUIRED
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = ValidationError(NAME_TOO_LONG, params={"limit": NAME_MAX_LENGTH})
    expiry = None
    if expires_on is not None:
        if expires_on <= timezone.localdate():
            errors["expires_on"] = EXPIRY_PAST
        else:
            end = datetime.datetime.combine(
                expires_on + datetime.timedelta(days=1), datetime.time()
            )
            expiry = timezone.make_aware(end) - timezone.now()
    if errors:
        raise ValidationError(errors)
    limit = settings.API_TOKENS_PER_USER
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=by.pk).first()
        if tokens_of(by).count() >= limit:
            raise ValidationError({"name": ValidationError(TOO_MANY, params={"limit": limit})})
        return ApiToken.objects.create(user=by, expiry=expiry, name=name)


def token_revoke(*, by, token_key: str) -> None:
    """Delete one of ``by``'s tokens: the next request with it answers 401."""
    deleted, _counts = tokens_of(by).filter(token_key=token_key).delete()
    if not deleted:
        raise Http404
