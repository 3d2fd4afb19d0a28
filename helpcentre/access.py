"""Who is a customer: a user linked to a contact (``customers.Contact.user``).

Read once per session and kept in it, as the desk's preferences are, so that the wall between the
help centre and the staff pages costs no query a page. A sign-in starts a new session, and a
revoked contact's user is inactive, which signs it out at its next request.
"""

from customers.models import Contact

SESSION_CONTACT = "helpcentre.contact"


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
        request.session[SESSION_CONTACT] = contact.pk if contact else 0
    request._customer_contact = contact
    return contact


def is_customer(request) -> bool:
    """Cheaper than ``customer_contact`` for staff: no query once the session knows."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if request.session.get(SESSION_CONTACT) == 0:
        return False
    return customer_contact(request) is not None
