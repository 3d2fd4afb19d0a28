from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Support plans")

    def ready(self):
        from . import receivers

        receivers.connect()
