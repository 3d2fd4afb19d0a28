"""Chains of rules: a rule's field update is a change like any other, and may fire other rules.

While a rule's field update runs, ``acting`` records the chain of rules that led to it; the
change it makes is queued with that chain (``receivers``), so the rules it fires never include
one already in the chain (a rule's own update never triggers it again), and a change made by a
chain ``MAX_DEPTH`` rules long fires nothing more (``engine`` logs the stop on the firing).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

MAX_DEPTH = 3

_current: ContextVar[tuple[int, ...]] = ContextVar("automation_chain", default=())
_seen: ContextVar[tuple[int, ...]] = ContextVar("automation_seen", default=())


def current() -> tuple[int, ...]:
    """The ids of the rules whose field updates led to the change being made now (a person's
    change: none)."""
    return _current.get()


def seen() -> tuple[int, ...]:
    """The ids of the rules that read the change being made now in the run that makes it (the
    rules after the acting one in that run's list): the change must not fire them again."""
    return _seen.get()


@contextmanager
def acting(chain: tuple[int, ...], seen: tuple[int, ...] = ()) -> Iterator[None]:
    """Within the block, changes are made by the last rule of ``chain``; the rules ``seen``
    will read them in the same run."""
    token, seen_token = _current.set(tuple(chain)), _seen.set(tuple(seen))
    try:
        yield
    finally:
        _current.reset(token)
        _seen.reset(seen_token)
