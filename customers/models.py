from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
        return reverse("customers:account_detail", args=[self.pk])


class Contact(models.Model):
    """A person at a customer account who raises tickets."""

    account = models.ForeignKey(
        Account, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("account")
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()
