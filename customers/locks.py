"""Row locks on accounts (lock order, README "Locks": ticket, then contract, then account)."""

from .models import Account


def lock_account(account_id: int) -> Account:
    """The account, its row locked until the transaction ends. Writers of an account's contracts
    take it before they look for overlapping contracts, so two saves cannot both pass the check.

    ``NO KEY``: new contracts and tickets of the account only take ``KEY SHARE`` on it."""
    return Account.objects.select_for_update(no_key=True).get(pk=account_id)
