from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from desk.access import require_permission

from . import selectors, services
from .forms import ContactInviteForm
from .models import Contact


class AccountListView(ListView):
    template_name = "customers/account_list.html"
    context_object_name = "accounts"
    paginate_by = 50

    def get_queryset(self):
        return selectors.account_list(self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(search=self.request.GET.get("q", ""), **kwargs)


class ContactAccessView(View):
    """A POST from the account page's Contacts tab that changes a contact's help-centre access,
    through its service; back to the tab with what happened (or why not)."""

    http_method_names = ["post"]

    def post(self, request, account_pk, pk):
        require_permission(request.user, services.CHANGE_CONTACT)  # 403 before anything else
        contact = get_object_or_404(
            Contact.objects.select_related("account"), pk=pk, account_id=account_pk
        )
        try:
            message = self.act(request, contact)
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, message)
        return redirect(contacts_tab(contact.account_id))

    def act(self, request, contact: Contact) -> str:
        raise NotImplementedError


def contacts_tab(account_pk: int) -> str:
    """The account page, opened on its Contacts tab."""
    return reverse("customers:account_detail", args=[account_pk]) + "?tab=contacts#contacts-pane"


class ContactInviteView(ContactAccessView):
    def act(self, request, contact):
        form = ContactInviteForm(request.POST)
        if not form.is_valid():
            raise ValidationError([m for ms in form.errors.values() for m in ms])
        services.contact_invite(
            by=request.user,
            contact=contact,
            is_account_admin=form.cleaned_data["is_account_admin"],
        )
        return _(
            "%(name)s was invited to the help centre: an email with a link to choose a password "
            "is on its way to %(email)s."
        ) % {"name": contact, "email": contact.email}


class ContactRevokeView(ContactAccessView):
    def act(self, request, contact):
        services.contact_revoke(by=request.user, contact=contact)
        return _("%(name)s can no longer sign in to the help centre.") % {"name": contact}
