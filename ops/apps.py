from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Composition on top of every app: the demo desk and the cron command. Nothing imports it."""

    name = "ops"
    verbose_name = _("Operations")
