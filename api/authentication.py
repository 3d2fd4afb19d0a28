from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from customers.selectors import contact_for_user

CUSTOMERS_REFUSED = _("Customers have no access to the API.")


class PersonalTokenAuthentication(TokenAuthentication):
    """``Authorization: Bearer <token>``: a personal token made on the preferences page (knox
    stores only its digest, and deletes it once expired). A customer's user never gets one; if it
    somehow had one, it is refused here too."""

    def _cleanup_token(self, auth_token) -> bool:
        """Whether the token presented has expired (then deleted). knox would also sweep every
        other token of the user, a query on every request; ``api.tokens.token_create`` sweeps
        them instead, and an expired one is refused whenever it is presented."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if contact_for_user(user) is not None:
            raise exceptions.AuthenticationFailed(CUSTOMERS_REFUSED)
        return user, token
