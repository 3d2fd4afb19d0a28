"""Invitations to the help centre, its sign-in, and revoking access (issue 17, SPEC section 9).

An agent invites a contact from the account page; the contact gets one email with a one-time link
to choose a password, and is signed in at /help/; access can be revoked, and is refused at once.
The help centre and the desk each have their own sign-in, which refuses the other side's users
exactly as it refuses a wrong password; both are throttled (django-axes).
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.html import escape
from django.utils.http import urlsafe_base64_encode

from customers import services
from customers.models import Contact
from customers.selectors import HelpCentreAccess, account_contacts, contact_access
from desk.models import OutgoingEmail, Preferences
from helpcentre.auth_forms import HelpCentreSignInForm
from tests import factories as f
from tests.concurrency import run_together
from tests.conftest import opened_form, run_queued_tasks, signed_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "amber-motors-2026!"
HELP_SIGN_IN = "/help/sign-in/"
STAFF_SIGN_IN = "/accounts/login/"
LINK = re.compile(r"https?://\S+/help/welcome/\S+/")
WRONG_HELP_PASSWORD = str(HelpCentreSignInForm.error_messages["invalid_login"])


@pytest.fixture
def account(db):
    return f.AccountFactory(name="Amber Motors")


@pytest.fixture
def contact(account):
    return f.ContactFactory(
        account=account, first_name="Lin", last_name="Wei", email="Lin.Wei@Amber.example"
    )


@pytest.fixture
def nobody(db):
    """Signed in to the desk, without any permission."""
    return f.UserFactory(username="nobody")


def invite(agent, contact) -> None:
    """Invite ``contact`` (through the service), and read it again: it now has a user."""
    services.contact_invite(by=agent, contact=contact)
    contact.refresh_from_db()


def invitation_path(email: OutgoingEmail) -> str:
    """The path of the one link in an invitation's body."""
    (link,) = LINK.findall(email.body)
    assert link.startswith(settings.DESK_URL.rstrip("/") + "/help/welcome/")
    return urlsplit(link).path


def accept(client: Client, path: str, password: str = NEW_PASSWORD):
    """Follow the invitation's link and choose a password, as the contact does."""
    opened = client.get(path)
    assert opened.status_code == 302  # the token goes into the session, out of the address
    form_path = opened["Location"]
    assert form_path.endswith("/set-password/")
    page = client.get(form_path)
    assert page.status_code == 200 and 'id="welcome-form"' in page.content.decode()
    return client.post(form_path, {"new_password1": password, "new_password2": password})


def help_sign_in(client: Client, email: str, password: str, **extra):
    return client.post(HELP_SIGN_IN, {"username": email, "password": password}, **extra)


def errors_of(response) -> list[str]:
    return [str(e) for e in response.context["form"].non_field_errors()]


# -- the invitation ------------------------------------------------------------------------------


def test_an_invitation_makes_a_customer_user_and_queues_one_email_with_the_link(agent, contact):
    invited = services.contact_invite(by=agent, contact=contact, is_account_admin=True)

    user = invited.user
    assert user.username == "lin.wei@amber.example"  # the email address, in lower case
    assert user.email == "Lin.Wei@Amber.example"
    assert (user.first_name, user.last_name) == ("Lin", "Wei")
    assert user.is_active and not user.is_staff and not user.is_superuser
    assert not user.has_usable_password()
    assert not user.groups.exists() and not user.user_permissions.exists()
    assert user.get_all_permissions() == set()
    assert invited.is_account_admin and invited.invited_at is not None
    (email,) = OutgoingEmail.objects.all()
    assert email.to == "Lin.Wei@Amber.example"
    assert "Amber Motors" in email.subject
    assert "lin.wei@amber.example" in email.body and "3 days" in email.body
    assert settings.DESK_URL.rstrip("/") + HELP_SIGN_IN in email.body
    invitation_path(email)
    assert contact_access(Contact.objects.get(pk=contact.pk)) == HelpCentreAccess.INVITED


def test_the_email_is_delivered_by_the_workers(agent, contact, mailoutbox):
    invite(agent, contact)
    assert mailoutbox == []
    run_queued_tasks()
    (message,) = mailoutbox
    assert message.to == ["Lin.Wei@Amber.example"]
    assert LINK.search(message.body)


def test_the_link_sets_a_password_signs_in_at_help_and_works_once(agent, contact, client):
    invite(agent, contact)
    path = invitation_path(OutgoingEmail.objects.get())

    response = accept(client, path)

    assert response.status_code == 302 and response["Location"] == "/help/"
    user = get_user_model().objects.get(pk=contact.user_id)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert user.check_password(NEW_PASSWORD) and user.last_login is not None
    assert client.get("/help/").status_code == 200
    assert contact_access(Contact.objects.get(pk=contact.pk)) == HelpCentreAccess.ACTIVE

    again = Client().get(path)  # the same link, a second time
    assert again.status_code == 200
    html = again.content.decode()
    assert 'id="invalid-link"' in html and 'id="welcome-form"' not in html
    assert "ask your support contact to invite you again" in html


def test_the_new_password_signs_in_at_the_help_centre_in_any_case_of_the_email(agent, contact):
    invite(agent, contact)
    accept(Client(), invitation_path(OutgoingEmail.objects.get()))
    client = Client()
    response = help_sign_in(client, "LIN.WEI@amber.EXAMPLE", NEW_PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/help/"
    assert client.session[SESSION_KEY] == str(contact.user_id)


def test_a_weak_password_is_refused_on_the_welcome_page(agent, contact, client):
    invite(agent, contact)
    response = accept(client, invitation_path(OutgoingEmail.objects.get()), password="12345")
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    assert not get_user_model().objects.get(pk=contact.user_id).has_usable_password()


def test_a_link_older_than_its_lifetime_is_refused(agent, contact, client, monkeypatch):
    invite(agent, contact)
    path = invitation_path(OutgoingEmail.objects.get())
    later = datetime.datetime.now() + datetime.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    monkeypatch.setattr(
        default_token_generator, "_now", lambda: later + datetime.timedelta(minutes=1)
    )
    html = client.get(path).content.decode()
    assert 'id="invalid-link"' in html and "it has expired" in html
    monkeypatch.setattr(
        default_token_generator, "_now", lambda: later - datetime.timedelta(minutes=1)
    )
    assert client.get(path).status_code == 302  # still good a minute before


def test_a_forged_or_foreign_link_is_refused(agent, contact, client):
    invite(agent, contact)
    path = invitation_path(OutgoingEmail.objects.get())
    forged = path.rsplit("/", 2)[0] + "/abc-0123456789abcdef/"
    assert 'id="invalid-link"' in client.get(forged).content.decode()
    # A staff user's password-reset token does not open the help centre's page.
    uid = urlsafe_base64_encode(force_bytes(agent.pk))
    staff_path = reverse(
        "helpcentre:welcome", args=[uid, default_token_generator.make_token(agent)]
    )
    assert 'id="invalid-link"' in client.get(staff_path).content.decode()


def test_inviting_again_reuses_the_user_and_sends_a_fresh_link(agent, contact):
    invite(agent, contact)
    first = contact.user_id
    accept(Client(), invitation_path(OutgoingEmail.objects.get()))
    invite(agent, contact)
    assert contact.user_id == first
    assert get_user_model().objects.count() == 2  # the agent and the contact
    latest = OutgoingEmail.objects.order_by("pk").last()
    client = Client()
    response = accept(client, invitation_path(latest), password="another-password-77")
    assert response.status_code == 302 and response["Location"] == "/help/"


def test_an_invitation_follows_a_changed_email_address(agent, contact):
    invite(agent, contact)
    Contact.objects.filter(pk=contact.pk).update(email="wei.lin@amber.example")
    contact.refresh_from_db()
    invite(agent, contact)
    user = get_user_model().objects.get(pk=contact.user_id)
    assert (user.username, user.email) == ("wei.lin@amber.example", "wei.lin@amber.example")
    assert OutgoingEmail.objects.order_by("pk").last().to == "wei.lin@amber.example"


def test_the_email_is_written_in_the_desks_language_or_the_contacts(agent, contact, monkeypatch):
    """Composed under the reader's language: the desk's until the contact chooses one."""
    monkeypatch.setattr(services, "_link_lifetime", lambda: f"[{translation.get_language()}]")
    invite(agent, contact)
    Preferences.objects.create(user=contact.user, language="zh-hans")
    invite(agent, contact)
    first, second = OutgoingEmail.objects.order_by("pk")
    assert f"[{settings.LANGUAGE_CODE}]" in first.body
    assert "[zh-hans]" in second.body


def test_a_contact_without_email_is_refused_and_nothing_is_made(agent, account):
    contact = f.ContactFactory(account=account, email="")
    with pytest.raises(ValidationError) as refused:
        invite(agent, contact)
    assert refused.value.messages == [str(services.NEEDS_EMAIL)]
    contact.refresh_from_db()
    assert contact.user is None and contact.invited_at is None
    assert not OutgoingEmail.objects.exists()


@pytest.mark.parametrize(
    "other",
    [
        {"username": "LIN.WEI@amber.example"},  # a user named after the address
        {"username": "lin", "email": "lin.wei@AMBER.example"},  # a staff user with the address
    ],
)
def test_an_address_someone_already_signs_in_with_is_refused(agent, contact, other):
    f.UserFactory(**other)
    with pytest.raises(ValidationError) as refused:
        invite(agent, contact)
    assert "Lin.Wei@Amber.example" in refused.value.messages[0]
    assert "already signs in" in refused.value.messages[0]
    contact.refresh_from_db()
    assert contact.user is None and not OutgoingEmail.objects.exists()


def test_two_contacts_cannot_share_an_address(agent, contact, account):
    invite(agent, contact)
    twin = f.ContactFactory(account=f.AccountFactory(), email="lin.wei@amber.example")
    with pytest.raises(ValidationError, match="already signs in"):
        services.contact_invite(by=agent, contact=twin)
    twin.refresh_from_db()
    assert twin.user is None


def test_without_change_contact_the_service_refuses(nobody, contact):
    with pytest.raises(PermissionDenied):
        services.contact_invite(by=nobody, contact=contact)
    with pytest.raises(PermissionDenied):
        services.contact_revoke(by=nobody, contact=contact)
    assert not get_user_model().objects.filter(email__iexact=contact.email).exists()


# -- the account page's Contacts tab ---------------------------------------------------------------


def invite_url(contact):
    return reverse("customers:contact_invite", args=[contact.account_id, contact.pk])


def revoke_url(contact):
    return reverse("customers:contact_revoke", args=[contact.account_id, contact.pk])


def test_the_contacts_tab_invites_and_comes_back_with_a_message(agent_client, contact):
    response = agent_client.post(invite_url(contact), {"is_account_admin": "on"})
    assert response.status_code == 302
    assert response["Location"] == (f"/customers/{contact.account_id}/?tab=contacts#contacts-pane")
    contact.refresh_from_db()
    assert contact.user is not None and contact.is_account_admin
    assert OutgoingEmail.objects.count() == 1
    page = agent_client.get(response["Location"]).content.decode()
    assert "was invited to the help centre" in page
    assert 'id="contacts-tab" data-bs-toggle="tab"' in page
    assert re.search(r'class="nav-link active" id="contacts-tab"', page)
    row = page.split(f'id="contact-{contact.pk}"')[1].split("</tr>")[0]
    assert 'data-access="invited"' in row and "Invited on" in row
    assert "Account administrator" in row
    assert "Invite again" in row and "Revoke" in row


def test_the_contacts_tab_shows_each_access_and_its_buttons(agent, agent_client, account):
    not_invited = f.ContactFactory(account=account, last_name="Aa")
    no_email = f.ContactFactory(account=account, last_name="Bb", email="")
    invited = f.ContactFactory(account=account, last_name="Cc")
    signed_up = f.ContactFactory(account=account, last_name="Dd")
    revoked = f.ContactFactory(account=account, last_name="Ee")
    for each in (invited, signed_up, revoked):
        invite(agent, each)
    get_user_model().objects.filter(pk=signed_up.user_id).update(
        last_login=datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)
    )
    services.contact_revoke(by=agent, contact=revoked)

    page = agent_client.get(f"/customers/{account.pk}/?tab=contacts").content.decode()

    def row(contact):
        return page.split(f'id="contact-{contact.pk}"')[1].split("</tr>")[0]

    assert 'data-access="not_invited"' in row(not_invited) and "Not invited" in row(not_invited)
    assert ">Invite<" in row(not_invited) and "Revoke" not in row(not_invited)
    assert "Add an email address" in row(no_email) and "<form" not in row(no_email)
    assert "Invited on" in row(invited) and "Invite again" in row(invited)
    assert 'data-access="active"' in row(signed_up) and "Has access" in row(signed_up)
    assert "last signed in on" in row(signed_up) and "Revoke" in row(signed_up)
    assert 'data-access="revoked"' in row(revoked) and "Revoked" in row(revoked)
    assert "Invite again" in row(revoked) and "contact-revoke" not in row(revoked)


def test_without_change_contact_the_tab_has_no_buttons_and_a_post_is_403(nobody, contact):
    client = signed_in(nobody)
    page = client.get(f"/customers/{contact.account_id}/").content.decode()
    assert 'id="account-contacts"' in page
    assert "contact-invite" not in page and "contact-revoke" not in page
    assert client.post(invite_url(contact)).status_code == 403
    assert client.post(revoke_url(contact)).status_code == 403
    contact.refresh_from_db()
    assert contact.user is None and not OutgoingEmail.objects.exists()


def test_the_buttons_answer_only_a_post_of_a_contact_of_that_account(agent_client, contact):
    assert agent_client.get(invite_url(contact)).status_code == 405
    other = f.AccountFactory()
    wrong = reverse("customers:contact_invite", args=[other.pk, contact.pk])
    assert agent_client.post(wrong).status_code == 404
    missing = reverse("customers:contact_invite", args=[contact.account_id, 999_999])
    assert agent_client.post(missing).status_code == 404
    contact.refresh_from_db()
    assert contact.user is None


def test_the_tab_shows_a_refusal(agent_client, account):
    contact = f.ContactFactory(account=account, email="")
    response = agent_client.post(invite_url(contact), follow=True)
    html = response.content.decode()
    assert "alert-danger" in html and escape(str(services.NEEDS_EMAIL)) in html
    response = agent_client.post(revoke_url(contact), follow=True)
    assert escape(str(services.NOT_INVITED)) in response.content.decode()


def test_a_checkbox_takes_only_what_a_checkbox_posts(agent_client, contact):
    response = agent_client.post(invite_url(contact), {"is_account_admin": "maybe"}, follow=True)
    assert "alert-danger" in response.content.decode()
    contact.refresh_from_db()
    assert contact.user is None


def test_the_account_page_reads_contacts_with_their_users_in_one_query(agent, account):
    for _ in range(3):
        services.contact_invite(by=agent, contact=f.ContactFactory(account=account))
    contacts = account_contacts(account)
    with CaptureQueriesContext(connection) as captured:
        accesses = [(c.help_centre_access, c.user.is_active) for c in contacts]
    assert len(captured) == 1 and len(accesses) == 3


# -- revoking ----------------------------------------------------------------------------------


def signed_up(agent, contact) -> Client:
    """The contact invited, its password chosen, and signed in through the help centre's page."""
    invite(agent, contact)
    client = Client()
    accept(client, invitation_path(OutgoingEmail.objects.order_by("pk").last()))
    assert client.get("/help/").status_code == 200
    return client


def test_revoking_signs_the_customer_out_at_their_next_request(agent, agent_client, contact):
    client = signed_up(agent, contact)

    response = agent_client.post(revoke_url(contact))

    assert response.status_code == 302
    user = get_user_model().objects.get(pk=contact.user_id)
    assert not user.is_active and not user.has_usable_password()
    page = client.get("/help/")
    assert page.status_code == 302 and page["Location"].startswith(HELP_SIGN_IN)
    assert SESSION_KEY not in client.session  # the session itself is gone
    assert client.get("/tickets/")["Location"].startswith(STAFF_SIGN_IN)


def test_a_revoked_customer_cannot_sign_in_and_is_told_nothing_more(agent, contact):
    signed_up(agent, contact)
    services.contact_revoke(by=agent, contact=contact)
    response = help_sign_in(Client(), "lin.wei@amber.example", NEW_PASSWORD)
    assert response.status_code == 200
    assert errors_of(response) == [WRONG_HELP_PASSWORD]
    wrong = help_sign_in(Client(), "lin.wei@amber.example", "not-the-password")
    assert errors_of(wrong) == errors_of(response)


def test_revoking_kills_the_emailed_link(agent, contact, client):
    invite(agent, contact)
    path = invitation_path(OutgoingEmail.objects.get())
    services.contact_revoke(by=agent, contact=contact)
    assert 'id="invalid-link"' in client.get(path).content.decode()


def test_a_new_invitation_after_revoking_reactivates_the_same_user_without_its_password(
    agent, contact
):
    signed_up(agent, contact)
    user_id = contact.user_id
    services.contact_revoke(by=agent, contact=contact)
    services.contact_revoke(by=agent, contact=contact)  # twice: nothing more happens
    invite(agent, contact)
    assert contact.user_id == user_id
    user = get_user_model().objects.get(pk=user_id)
    assert user.is_active and not user.has_usable_password()  # only the new link lets them in
    assert errors_of(help_sign_in(Client(), user.username, NEW_PASSWORD))
    response = accept(Client(), invitation_path(OutgoingEmail.objects.order_by("pk").last()))
    assert response["Location"] == "/help/"


def test_revoking_a_contact_never_invited_is_refused(agent, contact):
    with pytest.raises(ValidationError) as refused:
        services.contact_revoke(by=agent, contact=contact)
    assert refused.value.messages == [str(services.NOT_INVITED)]


def test_a_revocation_while_the_welcome_page_is_open_wins(agent, contact, client):
    invite(agent, contact)
    opened = client.get(invitation_path(OutgoingEmail.objects.get()))
    form_path = opened["Location"]
    assert client.get(form_path).status_code == 200
    services.contact_revoke(by=agent, contact=contact)
    response = client.post(
        form_path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 200 and 'id="invalid-link"' in response.content.decode()
    user = get_user_model().objects.get(pk=contact.user_id)
    assert not user.is_active and not user.has_usable_password()
    assert SESSION_KEY not in client.session


def test_the_service_refuses_a_password_for_a_revoked_user(agent, contact):
    invite(agent, contact)
    user = get_user_model().objects.get(pk=contact.user_id)
    services.contact_revoke(by=agent, contact=contact)
    with pytest.raises(ValidationError) as refused:
        services.contact_accept_invitation(by=user, password=NEW_PASSWORD)
    assert refused.value.messages == [str(services.ACCESS_REVOKED)]
    with pytest.raises(ValidationError):
        services.contact_accept_invitation(by=agent, password=NEW_PASSWORD)  # not a customer


# -- the two sign-in pages -----------------------------------------------------------------------


def test_the_help_sign_in_refuses_staff_as_it_refuses_a_wrong_password(agent, contact, department):
    signed_up(agent, contact)
    f.AgentFactory(username="ops@desk.example", departments=[department])
    client = Client()
    staff = help_sign_in(client, "ops@desk.example", "password")  # the staff's right password
    wrong = help_sign_in(Client(), "lin.wei@amber.example", "wrong-password")
    assert staff.status_code == wrong.status_code == 200
    assert errors_of(staff) == errors_of(wrong) == [WRONG_HELP_PASSWORD]
    assert SESSION_KEY not in client.session


def test_the_help_sign_in_follows_only_help_centre_pages(agent, contact):
    signed_up(agent, contact)
    client = Client()
    response = client.post(
        f"{HELP_SIGN_IN}?next=/tickets/",
        {"username": "lin.wei@amber.example", "password": NEW_PASSWORD, "next": "/tickets/"},
    )
    assert response["Location"] == "/help/"
    client = Client()
    response = client.post(
        HELP_SIGN_IN,
        {"username": "lin.wei@amber.example", "password": NEW_PASSWORD, "next": "/help/tickets/"},
    )
    assert response["Location"] == "/help/tickets/"


def test_the_help_sign_in_is_throttled_after_the_failure_limit(agent, contact, client):
    signed_up(agent, contact)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert help_sign_in(client, "lin.wei@amber.example", "wrong").status_code == 200
    locked = help_sign_in(client, "lin.wei@amber.example", "wrong")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert 'id="locked-out"' in html and 'id="help-sign-in"' in html  # the help centre's page
    right_too_late = help_sign_in(client, "lin.wei@amber.example", NEW_PASSWORD)
    assert right_too_late.status_code == 429 and SESSION_KEY not in client.session
    assert AccessAttempt.objects.filter(username="lin.wei@amber.example").exists()


def test_the_staff_sign_in_refuses_a_customer_as_a_wrong_password(agent, contact):
    signed_up(agent, contact)
    customer = Client().post(
        STAFF_SIGN_IN, {"username": "lin.wei@amber.example", "password": NEW_PASSWORD}
    )
    wrong = Client().post(STAFF_SIGN_IN, {"username": "agent", "password": "wrong"})
    assert customer.status_code == wrong.status_code == 200
    assert errors_of(customer) == errors_of(wrong)
    assert "Please enter a correct username and password" in errors_of(customer)[0]
    staff = Client().post(STAFF_SIGN_IN, {"username": "agent", "password": "password"})
    assert staff.status_code == 302


def test_the_back_office_sign_in_refuses_a_customer(agent, contact):
    signed_up(agent, contact)
    client = Client()
    response = client.post(
        "/admin/login/", {"username": "lin.wei@amber.example", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200 and SESSION_KEY not in client.session


def test_signing_out_goes_back_to_the_help_sign_in(agent, contact):
    client = signed_up(agent, contact)
    assert client.get("/help/sign-out/").status_code == 405  # a POST, as Django's sign-out
    response = client.post("/help/sign-out/")
    assert response.status_code == 302 and response["Location"] == HELP_SIGN_IN
    assert SESSION_KEY not in client.session


def test_a_signed_in_customer_opening_the_sign_in_goes_home(agent, contact):
    client = signed_up(agent, contact)
    assert client.get(HELP_SIGN_IN)["Location"] == "/help/"


def test_the_help_sign_in_speaks_chinese(client):
    response = client.get(HELP_SIGN_IN, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert response.status_code == 200 and '<html lang="zh-hans">' in html
    assert "登录" in html  # "Sign in"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    assert '<html lang="zh-hans">' in client.get(HELP_SIGN_IN).content.decode()


# -- the back office -----------------------------------------------------------------------------


def test_the_contact_admin_shows_the_access_and_invites_through_the_service(
    back_office_client, contact
):
    changelist = "/admin/customers/contact/"
    page = back_office_client.get(changelist).content.decode()
    assert "Help centre access" in page and "Not invited" in page
    response = back_office_client.post(
        changelist, {"action": "invite", "_selected_action": [contact.pk]}, follow=True
    )
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.user is not None and contact.user.is_active
    assert OutgoingEmail.objects.count() == 1
    assert "1 contact was invited" in response.content.decode()
    change = back_office_client.get(f"{changelist}{contact.pk}/change/").content.decode()
    assert "Invited on" in change and contact.user.username in change
    assert 'name="user"' not in change and 'name="invited_at"' not in change  # read only

    back_office_client.post(changelist, {"action": "revoke", "_selected_action": [contact.pk]})
    contact.user.refresh_from_db()
    assert not contact.user.is_active
    assert "Revoked" in back_office_client.get(changelist).content.decode()


def test_the_contact_admin_reports_a_refused_invitation(back_office_client, account):
    contact = f.ContactFactory(account=account, email="")
    response = back_office_client.post(
        "/admin/customers/contact/",
        {"action": "invite", "_selected_action": [contact.pk]},
        follow=True,
    )
    assert escape(str(services.NEEDS_EMAIL)) in response.content.decode()
    contact.refresh_from_db()
    assert contact.user is None


def test_an_admin_edit_keeps_the_user_and_sets_the_account_administrator(
    back_office_client, agent, contact
):
    url = f"/admin/customers/contact/{contact.pk}/change/"
    data = opened_form(back_office_client, url)
    services.contact_invite(by=agent, contact=contact)  # while the form is open
    data.update(phone="+86 21 5555 0101", is_account_admin="on")
    response = back_office_client.post(url, data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.user is not None and contact.invited_at is not None
    assert contact.phone == "+86 21 5555 0101" and contact.is_account_admin


def test_deleting_a_contact_in_the_back_office_deactivates_its_user(
    back_office_client, agent, contact
):
    invite(agent, contact)
    user_id = contact.user_id
    response = back_office_client.post(
        f"/admin/customers/contact/{contact.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not get_user_model().objects.get(pk=user_id).is_active


def test_deleting_an_account_deactivates_its_contacts_users(back_office_client, agent, contact):
    invite(agent, contact)
    user_id = contact.user_id
    response = back_office_client.post(
        f"/admin/customers/account/{contact.account_id}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not get_user_model().objects.get(pk=user_id).is_active


# -- at the same moment (PostgreSQL row locks) ---------------------------------------------------

races = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@races[0]
@races[1]
def test_invitations_of_one_contact_at_once_make_one_user():
    actor = f.desk_admin()
    contact = f.ContactFactory(email="ana@amber.example")
    errors = run_together(*[lambda: services.contact_invite(by=actor, contact=contact)] * 4)
    assert errors == []
    contact.refresh_from_db()
    users = get_user_model().objects.filter(username="ana@amber.example")
    assert list(users.values_list("pk", flat=True)) == [contact.user_id]
    assert OutgoingEmail.objects.filter(to="ana@amber.example").count() == 4


@races[0]
@races[1]
def test_two_contacts_with_one_address_invited_at_once_get_one_user():
    actor = f.desk_admin()
    twins = [f.ContactFactory(email="ana@amber.example") for _ in range(2)]
    errors = run_together(
        *[lambda c=c: services.contact_invite(by=actor, contact=c) for c in twins]
    )
    assert len(errors) == 1 and isinstance(errors[0], ValidationError)
    assert "already signs in" in errors[0].messages[0]
    assert Contact.objects.filter(pk__in=[t.pk for t in twins], user__isnull=False).count() == 1
    assert get_user_model().objects.filter(username="ana@amber.example").count() == 1
    assert OutgoingEmail.objects.count() == 1


def test_the_account_admins_contacts_keep_their_users_and_deleting_one_deactivates_it(
    back_office_client, agent, account, contact
):
    kept = f.ContactFactory(account=account, last_name="Zz")
    url = f"/admin/customers/account/{account.pk}/change/"
    data = opened_form(back_office_client, url)
    invite(agent, contact)  # both invited while the form is open
    invite(agent, kept)
    rows = {data[f"contacts-{i}-id"]: i for i in range(2)}
    data[f"contacts-{rows[contact.pk]}-DELETE"] = "on"
    data[f"contacts-{rows[kept.pk]}-phone"] = "+86 21 5555 0102"
    assert "contacts-0-user" not in data and "contacts-0-is_account_admin" not in data
    response = back_office_client.post(url, data)
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert not get_user_model().objects.get(pk=contact.user_id).is_active
    kept_user = kept.user_id
    kept.refresh_from_db()
    assert kept.phone == "+86 21 5555 0102" and kept.user_id == kept_user
