"""Row locks on accounts and contacts (lock order, README "Locks": ticket, then contract, then
account, then contact)."""

from .models import Account, Contact


def lock_account(account_id: int) -> Account:
    """The account, its row locked until the transaction ends. Writers of an account's contracts
    take it before they look for overlapping contracts, so two saves cannot both pass the check.

    ``NO KEY``: new contracts and tickets of the account only take ``KEY SHARE`` on it."""
    return Account.objects.select_for_update(no_key=True).get(pk=account_id)


def lock_contact(contact_id: int) -> Contact:
    """The contact, its row locked until the transaction ends: invitations and revocations of one
    contact run one after the other, so a contact never ends up with two users, or with access
    granted by one agent at the moment another revokes it. Taken after an account's lock, if both.

    Only the contact's row (its user is written only under it), and ``NO KEY``: tickets that
    merely point at the contact need not wait. The user is not joined: read after the lock (its
    own query), it is the one a transaction that held the lock before may just have made; a join
    would read it as it was when this statement began."""
    return (
        Contact.objects.select_for_update(of=("self",), no_key=True)
        .select_related("account")
        .get(pk=contact_id)
    )
