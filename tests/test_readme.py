"""The README's production steps are exactly what CI runs (`.ci/production`)."""

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)


def readme_production_steps() -> list[str]:
    readme = (BASE / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Production\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def ci_production_steps() -> list[str]:
    script = (BASE / ".ci" / "production").read_text(encoding="utf-8")
    block = script.split('# >>> README "Production"', 1)[1].split("# <<< README", 1)[0]
    lines = block.splitlines()[1:]  # the rest of the marker's line is its comment
    return [
        line.removesuffix(" &")
        for line in lines
        if line.strip() and not line.startswith(("pids+=", "#"))
    ]


def test_ci_runs_the_readme_production_steps():
    assert readme_production_steps() == ci_production_steps()
    assert len(readme_production_steps()) >= 5
