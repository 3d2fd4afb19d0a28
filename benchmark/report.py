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


def _ratio(value):
    return "—" if value is None else f"{value:.2f}×"


def _render(header, rows) -> str:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    out = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)), line]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def _median(f) -> str:
    if f.kind in ("build", "job"):
        return _cell(None if f.median_ms is None else round(f.median_ms / 1000, 2), " s")
    return _cell(f.median_ms, " ms")


def render_table(figures) -> str:
    header = ("figure", "status", "median", "p95", "queries", "SQL", "× floor", "target", "result")
    rows = []
    for f in figures:
        if f.kind == "build" or f.kind == "job":
            p95 = "—"
            target = "—" if f.target_ms is None else f"< {f.target_ms / 1000:g} s"
        else:
            p95 = _cell(f.p95_ms, " ms")
            target = "—" if f.target_ms is None else f"< {f.target_ms:g} ms"
            if f.target_queries is not None:
                target += f", < {f.target_queries} q"
        verdict = _verdict(f)
        if f.note:
            verdict += f" ({f.note})"
        sql = _cell(f.sql_ms, " ms")
        ratio = _ratio(f.floor_ratio)
        rows.append(
            (f.name, str(f.status), _median(f), p95, _cell(f.queries), sql, ratio, target, verdict)
        )
    return _render(header, rows)


# A figure is flat when the larger desk's is within this factor of the smaller's (issue 21).
FLAT = 1.2


def render_comparison(small, large, *, sizes) -> str:
    """Each figure of two runs side by side: medians, their growth, query counts.

    A page or API read was timed in turn with the floor, the same bare view of the same 50 rows
    at both sizes: its growth against the floor (its median over the floor's at the large size,
    over the same at the small size) takes out what the host's speed did between the two
    desks' timings, and judges it flat. Other figures (writes, jobs) are judged on their growth.
    """
    small_by_name = {f.name: f for f in small}
    header = (
        "figure",
        f"{sizes[0]:,} tickets",
        f"{sizes[1]:,} tickets",
        "growth",
        "against the floor",
        "queries",
        "× floor",
        f"flat (≤ {FLAT}×, same queries)",
    )
    rows = []
    for f in large:
        before = small_by_name.get(f.name)
        growth = relative = None
        verdict = "n/a"
        measured = before is not None and before.median_ms and f.median_ms is not None
        if measured and f.kind != "build":
            growth = round(f.median_ms / before.median_ms, 2)
            if before.floor_ms and f.floor_ms:
                relative = round(growth * before.floor_ms / f.floor_ms, 2)
            judged = growth if relative is None else relative
            same = before.queries == f.queries
            verdict = "yes" if judged <= FLAT and same else "NO"
        queries = "—" if before is None else f"{_cell(before.queries)} → {_cell(f.queries)}"
        ratios = (
            "—"
            if before is None or f.floor_ratio is None
            else f"{_ratio(before.floor_ratio)} → {_ratio(f.floor_ratio)}"
        )
        rows.append(
            (
                f.name,
                _median(before) if before else "—",
                _median(f),
                _ratio(growth),
                _ratio(relative),
                queries,
                ratios,
                verdict,
            )
        )
    return _render(header, rows)


def write_json(path, *, runs, requests):
    """``runs``: one ``{"sizes", "figures", "desk"}`` a desk timed (two with ``--compare``)."""
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    payload = {
        "cpus": os.cpu_count(),
        "load_average": load,
        "database": connection.vendor,
        "database_version": ".".join(map(str, connection.get_database_version())),
        "python": platform.python_version(),
        "requests_per_page": requests,
        "runs": [
            {
                "sizes": run["sizes"].__dict__,
                "rows": run["desk"].counts,
                "build_seconds": run["desk"].seconds,
                "build_phases": run["desk"].phases,
                "figures": [f.as_dict() for f in run["figures"]],
            }
            for run in runs
        ],
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(payload, fh, indent=2, default=str)
