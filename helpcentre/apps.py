from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HelpCentreConfig(AppConfig):
    """The customers' door (SPEC section 9): their account's contracts, plans, credits and usage,
    and their tickets. It writes only through the domain apps' services; no domain app imports
    it."""

    name = "helpcentre"
    verbose_name = _("Help centre")
