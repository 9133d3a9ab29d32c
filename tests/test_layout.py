"""The layout is the pipeline: each stage imports only the stages below it.

model <- pull <- desk <- showcase (build) <- publish. A stage that imported a later
one could no longer run without it (the pull must work where nothing is built),
and the content model, the contract between them all, must stay at the bottom.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from helpers import ROOT

PIPELINE = ["eminence_model", "eminence_pull", "eminence_desk", "eminence_showcase", "eminence_publish"]
MAX_LINES = 420  # a module past this is two modules (docs/internals.md)
# tasks.py is one concern, the command surface: a short wrapper per command (29 of them)
# and their help texts; what they share lives in eminence_model/refusals.py.
MAX_TASKS_LINES = 500


def modules():
    for package in PIPELINE:
        yield from sorted((ROOT / "plugins" / package).glob("*.py"))


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(PIPELINE)


def test_every_package_under_plugins_is_a_stage():
    packages = {p.name for p in (ROOT / "plugins").iterdir() if (p / "__init__.py").exists()}
    assert packages == set(PIPELINE)


@pytest.mark.parametrize("path", list(modules()), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_stage_imports_only_the_stages_below_it(path):
    rank = PIPELINE.index(path.parent.name)
    upward = {name for name in imported_packages(path) if PIPELINE.index(name) > rank}
    assert not upward, f"{path.parent.name}/{path.name} imports a later stage: {sorted(upward)}"


@pytest.mark.parametrize("path", [*modules(), ROOT / "tasks.py"], ids=lambda p: p.name)
def test_no_module_is_two_modules(path):
    limit = MAX_TASKS_LINES if path.name == "tasks.py" else MAX_LINES
    assert len(path.read_text(encoding="utf-8").splitlines()) <= limit


def test_the_import_scan_sees_an_upward_import(tmp_path):
    # The scan itself must be able to fail: a model module importing the build.
    sample = tmp_path / "eminence_model" / "bad.py"
    sample.parent.mkdir()
    sample.write_text("def f():\n    from eminence_showcase.runner import build\n")
    assert imported_packages(sample) == {"eminence_showcase"}


def test_tests_share_fixtures_through_helpers_not_each_other():
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("test_"), f"{path.name} imports {node.module}"
