"""Signing in to the help centre, and the invitation's link (stubs: filled in by issue 17)."""

from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView


@method_decorator(login_not_required, name="dispatch")
class SignInView(TemplateView):
    template_name = "helpcentre/home.html"


class SignOutView(TemplateView):
    template_name = "helpcentre/home.html"


@method_decorator(login_not_required, name="dispatch")
class WelcomeView(TemplateView):
    template_name = "helpcentre/home.html"
