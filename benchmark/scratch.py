"""The scratch database ``bench`` and ``loadtest`` build a desk in: Django's test database for the
configured one (``test_<name>`` on PostgreSQL), so the developer's own is never touched."""

import time
from collections.abc import Callable

from django.db import connection

from .builder import Desk, Sizes, build_desk


def create(log: Callable[[str], object]) -> str:
    """Create and migrate the scratch database and point the connection at it; its name. A
    leftover one from an earlier ``--keep`` run is replaced."""
    started = time.perf_counter()
    log("Creating and migrating the scratch database…")
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    log(f"  {name} ready in {time.perf_counter() - started:.1f} s")
    return name


def build(sizes: Sizes, log: Callable[[str], object]) -> Desk:
    log(
        f"Building {sizes.tickets:,} tickets, {sizes.accounts:,} accounts, "
        f"{sizes.contracts:,} contracts, {sizes.ledger:,} ledger rows…"
    )
    desk = build_desk(sizes, log=log)
    log(f"  built in {desk.seconds:.1f} s: {desk.counts}")
    return desk


def leave(name: str, *, old_name: str, keep: bool, log: Callable[[str], object]) -> None:
    """Drop the scratch database, or keep it, and point the connection back."""
    if keep:
        log(f"Scratch database kept: {name}")
        connection.settings_dict["NAME"] = old_name
    else:
        connection.creation.destroy_test_db(old_name, verbosity=0)
