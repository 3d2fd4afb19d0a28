from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication
from rest_framework import exceptions

from customers.selectors import contact_for_user

CUSTOMERS_REFUSED = _("Customers have no access to the API.")


class PersonalTokenAuthentication(TokenAuthentication):
    """``Authorization: Bearer <token>``: a personal token made on the preferences page (knox
    stores only its digest, and deletes it once expired). A customer's user never gets one; if it
    somehow had one, it is refused here too."""

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if contact_for_user(user) is not None:
            raise exceptions.AuthenticationFailed(CUSTOMERS_REFUSED)
        return user, token
