"""Third-party apps under the names the back office shows, in the desk's languages."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_tasks_db.apps import TasksAppConfig


class SignInThrottlingConfig(AxesAppConfig):
    verbose_name = _("Sign-in throttling")


class TaskQueueConfig(TasksAppConfig):
    verbose_name = _("Task queue")
