"""Signing in to the help centre, signing out, and the invitation's link to choose a password.

The help centre has its own sign-in page (``/help/sign-in/``), apart from the staff one: a
customer signs in with their email address, through ``authenticate(request, …)`` so that
django-axes throttles it as it throttles the staff sign-in. Staff users are refused here, and
customers on the staff page (``auth_forms.StaffAuthenticationForm``), with the usual "wrong
password" message.

The invitation's link is Django's password-reset confirmation (a one-time token, valid for
``PASSWORD_RESET_TIMEOUT``): the contact chooses a password, is signed in, and lands on ``/help/``.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _

from .access import HelpCentreSignInMixin
from .auth_forms import HelpCentreSignInForm, WelcomePasswordForm, is_customer_user

HOME = reverse_lazy("helpcentre:home")
HELP_PREFIX = "/help/"
WELCOME = _("Welcome to the help centre: your password is set and you are signed in.")


@method_decorator(login_not_required, name="dispatch")
class SignInView(HelpCentreSignInMixin, auth_views.LoginView):
    template_name = "helpcentre/sign_in.html"
    authentication_form = HelpCentreSignInForm
    redirect_authenticated_user = True  # a customer goes home; staff see the help centre's notice
    next_page = HOME

    def get_redirect_url(self):
        """Only a page of the help centre is followed after signing in (``next``)."""
        url = super().get_redirect_url()
        return url if url.startswith(HELP_PREFIX) else ""

    def form_invalid(self, form):
        if getattr(self.request, "axes_locked_out", False):
            # Locked out by django-axes: said on this page, in the help centre's frame, rather
            # than on the staff lock-out page AxesMiddleware would put in its place.
            self.request.axes_locked_out = False
            return self.render_to_response(
                self.get_context_data(form=form, locked_out=True), status=429
            )
        return super().form_invalid(form)


@method_decorator(login_not_required, name="dispatch")
class SignOutView(HelpCentreSignInMixin, auth_views.LogoutView):
    """POST only (Django's LogoutView): back to the help centre's sign-in."""

    next_page = reverse_lazy("helpcentre:sign_in")


@method_decorator(login_not_required, name="dispatch")
class WelcomeView(HelpCentreSignInMixin, auth_views.PasswordResetConfirmView):
    """The invitation's link: choose a password, then signed in and sent to ``/help/``. A link
    already used, out of date, revoked or not a customer's says so."""

    template_name = "helpcentre/welcome.html"
    form_class = WelcomePasswordForm
    post_reset_login = True
    # Two backends are configured: the one that signs a user in by its password.
    post_reset_login_backend = "desk.auth.PasswordBackend"
    success_url = HOME
    title = _("Choose your password")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if user is None or not user.is_active or not is_customer_user(user):
            return None  # staff use the desk's own password reset
        return user

    def form_valid(self, form):
        try:
            response = super().form_valid(form)
        except ValidationError as error:  # revoked meanwhile
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, WELCOME)
        return response
