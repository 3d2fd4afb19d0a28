"""One table for the terminal, one JSON file for the record."""

import json
import os
import platform

from django.db import connection


def _cell(value, unit=""):
    return "—" if value is None else f"{value:g}{unit}"


def _verdict(figure):
    if figure.passed is None:
        return "n/a"
    return "PASS" if figure.passed else "FAIL"


def render_table(figures) -> str:
    header = ("figure", "status", "median", "p95", "queries", "SQL", "target", "result")
    rows = []
    for f in figures:
        if f.kind == "build" or f.kind == "job":
            median = _cell(None if f.median_ms is None else round(f.median_ms / 1000, 2), " s")
            p95 = "—"
            target = f"< {f.target_ms / 1000:g} s"
        else:
            median, p95 = _cell(f.median_ms, " ms"), _cell(f.p95_ms, " ms")
            target = f"< {f.target_ms:g} ms"
            if f.target_queries is not None:
                target += f", < {f.target_queries} q"
        verdict = _verdict(f)
        if f.note:
            verdict += f" ({f.note})"
        sql = _cell(f.sql_ms, " ms")
        rows.append((f.name, str(f.status), median, p95, _cell(f.queries), sql, target, verdict))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def write_json(path, *, figures, desk, sizes, requests):
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    payload = {
        "cpus": os.cpu_count(),
        "load_average": load,
        "database": connection.vendor,
        "database_version": ".".join(map(str, connection.get_database_version())),
        "python": platform.python_version(),
        "requests_per_page": requests,
        "sizes": sizes.__dict__,
        "rows": desk.counts,
        "build_seconds": desk.seconds,
        "build_phases": desk.phases,
        "figures": [f.as_dict() for f in figures],
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, default=str)
