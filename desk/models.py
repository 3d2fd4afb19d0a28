import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .validators import validate_time_zone


class Department(models.Model):
    """A team of agents with its own SLAs, plans and tickets, and its own module switches."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    # Settings > Customization > Organize modules. One switch per optional module.
    contracts_enabled = models.BooleanField(
        _("Contracts module"),
        default=False,
        help_text=_("Show the Contracts module to this department."),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="departments",
        blank=True,
        verbose_name=_("agents"),
    )
    # Made anew by every change to the department's rules (``automation.receivers``), so that
    # what its workflow rules listen for is known from the department a change reads anyway, not
    # asked of the rules table by every change. A new token, not a count: a change rolled back
    # leaves the token before it, and its own is never seen again.
    rules_version = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        permissions = [
            ("manage_automation", _("Can manage automation (SLAs, support plans, modules)")),
            ("access_all_departments", _("Can see every department's records")),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The rules token is written by ``automation.receivers.rules_changed`` alone: saving a
        # department read before one of its rules changed must not put the older token back.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "rules_version"
            ]
        super().save(*args, **kwargs)


class Preferences(models.Model):
    """A user's language and time zone; empty means the browser's language / the desk's zone."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Empty: the browser's language."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Empty: the desk's time zone."),
    )

    class Meta:
        verbose_name = _("preferences")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return str(self.user)


class OutgoingEmail(models.Model):
    """One email to one reader, kept until the mail server has taken it (SPEC section 13).

    Written in the transaction of the change that promises it, with the task that delivers it
    (``desk.tasks.deliver_emails``); a failed delivery is tried again with back-off. ``sent_at``
    is set only once the mail server accepted the message, and a sent email is never sent again.
    """

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    created_at = models.DateTimeField(_("queued"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        indexes = [
            # The health check counts what is still to send.
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True),
                name="email_unsent_idx",
            ),
        ]

    def __str__(self):
        return f"{self.to}: {self.subject}"
