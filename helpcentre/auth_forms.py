"""The two sign-in forms, each refusing the other side's users with its usual "wrong username or
password" message, so that neither page tells who is staff and who is a customer.

Both sign in through ``authenticate(request, …)``, which django-axes throttles
(``desk.auth.ThrottledBackend``). The staff one is the desk's sign-in page's form, chosen in
``config.urls`` (``desk`` knows nothing of customers).
"""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from customers import services as customer_services
from customers.models import Contact

EMAIL_MAX_LENGTH = 254


def is_customer_user(user) -> bool:
    """Whether ``user`` signs in to the help centre: the user of a contact."""
    return Contact.objects.filter(user=user).exists()


class StaffAuthenticationForm(AuthenticationForm):
    """The desk's sign-in (``/accounts/login/``): a customer's email and password are refused
    exactly as a wrong password is."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if is_customer_user(user):
            raise self.get_invalid_login_error()


class HelpCentreSignInForm(AuthenticationForm):
    """The help centre's sign-in: the email address (the contact user's username, in lower case)
    and the password. A staff user, a revoked contact and a wrong password all get the same
    message. The field keeps the name ``username``, which django-axes counts failures by."""

    username = forms.EmailField(
        label=_("Email"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Enter a correct email address and password. The password is case-sensitive."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        # AuthenticationForm labels and sizes the field after the user model's username.
        field = self.fields["username"]
        field.label = _("Email")
        field.max_length = EMAIL_MAX_LENGTH
        field.widget.attrs["maxlength"] = str(EMAIL_MAX_LENGTH)

    def clean_username(self):
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not is_customer_user(user):
            raise self.get_invalid_login_error()


class WelcomePasswordForm(SetPasswordForm):
    """The invitation's page: the contact chooses a password (Django's checks of its strength),
    saved through ``customers.services.contact_accept_invitation``."""

    def save(self, commit=True):
        customer_services.contact_accept_invitation(
            by=self.user, password=self.cleaned_data["new_password1"]
        )
        return self.user
