"""Personal API tokens (SPEC section 12): made and revoked by their owner on the preferences page,
shown once, stored as a digest (django-rest-knox).

Only staff get tokens: a customer's user (a contact's) never does, and has no API access. A user
has at most ``API_TOKENS_PER_USER`` tokens, counted under a lock on the user's row (expired ones,
which no longer sign anything in, are deleted first and do not count)."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.selectors import contact_for_user
from desk.validators import validate_date_in_range

from .authentication import CUSTOMERS_REFUSED
from .models import ApiToken

NAME_MAX_LENGTH = ApiToken._meta.get_field("name").max_length
NAME_REQUIRED = _("Name the token after what will use it (such as “Billing system”).")
NAME_TOO_LONG = _("A token's name is at most %(limit)d characters.")
EXPIRY_PAST = _("Choose a day after today, or no expiry.")
TOO_MANY = _("You already have %(limit)d tokens. Revoke one you no longer use first.")


def tokens_of(user):
    """The user's tokens, newest first, each with ``is_expired`` (an expired one is listed until
    knox deletes it, when it is next presented, or the user makes or revokes a token)."""
    expired = ExpressionWrapper(
        Q(expiry__isnull=False, expiry__lte=timezone.now()), output_field=BooleanField()
    )
    return ApiToken.objects.filter(user=user).annotate(is_expired=expired).order_by("-created")


def token_create(*, by, name: str, expires_on: datetime.date | None = None) -> tuple[ApiToken, str]:
    """A new token for ``by``, valid until the end of ``expires_on`` (its last second, 23:59:59,
    in the current time zone: on the preferences page, the user's, so that the page shows the
    day chosen) or until revoked. Returns the token and its secret, which is never stored nor
    shown again."""
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
            try:
                validate_date_in_range(expires_on)  # a day the calendar can add one to
            except ValidationError as error:
                errors["expires_on"] = error
            else:
                last_second = datetime.datetime.combine(expires_on, datetime.time(23, 59, 59))
                expiry = timezone.make_aware(last_second) - timezone.now()  # knox adds now()
    if errors:
        raise ValidationError(errors)
    limit = settings.API_TOKENS_PER_USER
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=by.pk).first()
        ApiToken.objects.filter(user=by, expiry__lte=timezone.now()).delete()
        if ApiToken.objects.filter(user=by).count() >= limit:
            raise ValidationError({"name": ValidationError(TOO_MANY, params={"limit": limit})})
        return ApiToken.objects.create(user=by, expiry=expiry, name=name)


def token_revoke(*, by, token_key: str) -> None:
    """Delete one of ``by``'s tokens: the next request with it answers 401. Another user's
    token, or one that is gone already, is not found (404)."""
    deleted, _counts = ApiToken.objects.filter(user=by, token_key=token_key).delete()
    if not deleted:
        raise Http404
