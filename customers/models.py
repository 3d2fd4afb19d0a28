from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from desk import links


class Account(models.Model):
    """A customer organisation. Accounts are shared by every department of the desk."""

    name = models.CharField(_("account name"), max_length=200, db_index=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.by_pk("customers:account_detail", self.pk)


class Contact(models.Model):
    """A person at a customer account who raises tickets."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("account")
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    # The help centre (SPEC section 9): the contact's own sign-in, made when an agent invites
    # them, kept (inactive) when access is revoked, so that a new invitation reuses it.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name=_("help centre user"),
    )
    is_account_admin = models.BooleanField(
        _("account administrator"),
        default=False,
        help_text=_("Sees every ticket of the account in the help centre, not only their own."),
    )
    invited_at = models.DateTimeField(_("invited"), null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()
