"""The apps are layered (STYLE.md, "Layers"): a test reads every import and keeps it so.

- ``desk`` is the base: it imports no other app of the project;
- the doors (``helpcentre``: the customers' help centre) sit on the domain apps: neither ``desk``
  nor a domain app imports them;
- the composition apps (``ops``: demo data and scheduled work; ``benchmark``) sit on top: no app
  imports them;
- between the domain apps, the only cycle is ``tickets`` ↔ ``contracts`` (a ticket follows a
  contract; a contract's credits follow its tickets).
"""

import ast
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
DOMAIN = {"customers", "sla", "plans", "contracts", "tickets", "automation"}
DOORS = {"helpcentre", "api"}
COMPOSITION = {"ops", "benchmark"}
APPS = {"desk"} | DOMAIN | DOORS | COMPOSITION
ALLOWED_CYCLE = {"tickets", "contracts"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def app_imports() -> dict[str, dict[str, list[str]]]:
    """For each app, the other apps it imports and the files that import each."""
    graph: dict[str, dict[str, list[str]]] = {app: {} for app in APPS}
    for app in APPS:
        for path in sorted((BASE / app).rglob("*.py")):
            for module in imported_modules(path):
                target = module.split(".")[0]
                if target in APPS and target != app:
                    graph[app].setdefault(target, []).append(str(path.relative_to(BASE)))
    return graph


def cycles(graph) -> list[set[str]]:
    """The strongly connected groups of more than one app (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found = []

    def visit(app):
        index[app] = low[app] = len(index)
        stack.append(app)
        for other in graph[app]:
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = set()
            while True:
                member = stack.pop()
                group.add(member)
                if member == app:
                    break
            if len(group) > 1:
                found.append(group)

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return found


def test_every_app_is_read():
    assert all((BASE / app / "apps.py").exists() for app in APPS)
    assert set(settings.INSTALLED_APPS) >= APPS


def test_desk_is_the_base():
    assert app_imports()["desk"] == {}


def test_nothing_imports_the_composition_apps():
    graph = app_imports()
    importers = {
        app: files
        for app, targets in graph.items()
        for target, files in targets.items()
        if target in COMPOSITION and app not in COMPOSITION
    }
    assert importers == {}


def test_no_domain_app_imports_a_door():
    graph = app_imports()
    importers = {
        app: files
        for app in {"desk"} | DOMAIN
        for target, files in graph[app].items()
        if target in DOORS
    }
    assert importers == {}


def test_the_only_cycle_is_tickets_and_contracts():
    assert cycles(app_imports()) in ([], [ALLOWED_CYCLE])


def test_the_cycle_finder_finds_a_cycle():
    """The guard itself: a made-up graph with a cycle through three apps is caught."""
    graph = {"a": {"b": []}, "b": {"c": []}, "c": {"a": []}, "d": {"a": []}}
    assert cycles(graph) == [{"a", "b", "c"}]
