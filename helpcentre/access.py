"""Who is a customer: a user linked to a contact (``customers.Contact.user``).

Read once per session and kept in it, as the desk's preferences are, so that the wall between the
help centre and the staff pages (``helpcentre.middleware``) costs no query a page. A sign-in starts
a new session, and a revoked contact's user is inactive, which signs it out at its next request.

The help centre's pages use :class:`CustomerRequiredMixin`: an anonymous visitor is sent to the
help centre's sign-in (not the staff one), a signed-in staff user sees a notice, and a customer
gets the page with ``self.contact`` (and its account) at hand.
"""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse_lazy

from customers.models import Contact

SESSION_CONTACT = "helpcentre.contact"
# Where an anonymous visitor of a help-centre page is sent (LoginRequiredMiddleware reads it).
SIGN_IN_URL = reverse_lazy("helpcentre:sign_in")


def customer_contact(request) -> Contact | None:
    """The signed-in user's contact (with its account) if the user is a customer, else None."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if hasattr(request, "_customer_contact"):
        return request._customer_contact
    contact_id = request.session.get(SESSION_CONTACT)
    contact = None
    if contact_id != 0:
        contact = Contact.objects.select_related("account").filter(user=user).first()
        known = contact.pk if contact else 0
        if contact_id != known:  # written once: a write costs the session a save
            request.session[SESSION_CONTACT] = known
    request._customer_contact = contact
    return contact


def is_customer(request) -> bool:
    """Whether the signed-in user is a customer. No query once the session knows: staff are
    remembered as ``0``, customers by their contact's id (a user never changes sides: an
    invitation makes a new user, and a contact's user is never given to another)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    known = request.session.get(SESSION_CONTACT)
    if known == 0:
        return False
    if isinstance(known, int):
        return True
    return customer_contact(request) is not None


def with_login_url(view, login_url):
    """``view`` (a view function) sending anonymous visitors to ``login_url``.

    ``LoginRequiredMiddleware`` reads ``login_url`` from the view *function*; for a class-based
    view, ``as_view()`` copies no class attribute onto it, so it is set here."""
    view.login_url = login_url
    return view


class HelpCentreSignInMixin:
    """A class-based view whose anonymous visitors go to the help centre's sign-in."""

    login_url = SIGN_IN_URL

    @classmethod
    def as_view(cls, **initkwargs):
        return with_login_url(super().as_view(**initkwargs), cls.login_url)  # type: ignore[misc]


class CustomerRequiredMixin(HelpCentreSignInMixin):
    """For every page of the help centre (put it first among the bases).

    - anonymous: sent to the help centre's sign-in (``login_url``, read by LoginRequiredMiddleware);
    - signed in as staff: a notice (``helpcentre/staff_notice.html``, status 403), never a
      customer's view;
    - a customer: the page, with ``self.contact`` (its ``account`` loaded) for the view to scope
      everything it reads to."""

    staff_notice_template = "helpcentre/staff_notice.html"
    contact: Contact

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:  # a view that opted out of LoginRequiredMiddleware
            return redirect_to_login(request.get_full_path(), self.login_url)
        contact = customer_contact(request)
        if contact is None:
            return render(request, self.staff_notice_template, status=403)
        self.contact = contact
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
