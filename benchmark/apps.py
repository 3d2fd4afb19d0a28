from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchmarkConfig(AppConfig):
    """The scale benchmark (``manage.py bench``), on top of every app. Nothing imports it."""

    name = "benchmark"
    verbose_name = _("Benchmark")
