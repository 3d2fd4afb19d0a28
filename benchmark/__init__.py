"""The scale benchmark (issue 7): build a synthetic desk in a scratch database, time every page.

``builder`` fills the database with bulk inserts; ``measure`` times the pages, the REST API, the
credit spend/refund and the scheduled work; ``report`` prints the table and writes the JSON. The
``bench`` management command wires them together.

This package is also an installed app (for its command), and Django imports an app's package
before any model is loaded: the parts are therefore re-exported lazily, on first use, since
``builder`` and ``measure`` import models.
"""

import importlib

_EXPORTS = {
    "Sizes": "builder",
    "build_desk": "builder",
    "TARGETS": "measure",
    "measure_all": "measure",
    "render_table": "report",
    "write_json": "report",
}

__all__ = ["TARGETS", "Sizes", "build_desk", "measure_all", "render_table", "write_json"]


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
