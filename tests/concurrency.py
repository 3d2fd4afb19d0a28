"""The one helper for concurrency tests: run callables in threads, released at the same moment.

Each thread closes its own database connection when done; exceptions are collected and returned
(never lost in a thread), so the test asserts on them.
"""

import threading
from collections.abc import Callable

from django.db import connection

TIMEOUT = 30


def run_together(*work: Callable[[], object]) -> list[BaseException]:
    """Start every callable in its own thread, release them together, wait for all; return the
    exceptions they raised."""
    barrier = threading.Barrier(len(work))
    errors: list[BaseException] = []

    def run(target):
        try:
            barrier.wait(timeout=TIMEOUT)
            target()
        except Exception as error:  # noqa: BLE001 - returned to the test, which asserts on it
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(target,)) for target in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=TIMEOUT)
    return errors


def saved_meanwhile(monkeypatch, model, rival: Callable[[], object]) -> None:
    """Simulate, on any database and in one thread, the race a unique key settles: the next
    ``model.full_clean()`` runs its checks, then ``rival()`` saves the same key at once, as another
    person's save committing between this one's check and its save would."""
    full_clean = model.full_clean

    def check_then_lose_the_race(self, *args, **kwargs):
        full_clean(self, *args, **kwargs)
        monkeypatch.setattr(model, "full_clean", full_clean)
        rival()

    monkeypatch.setattr(model, "full_clean", check_then_lose_the_race)
