"""The layout is the pipeline: each stage imports only the stages below it.

model <- pull <- desk <- showcase (build) <- publish. A stage that imported a later
one could no longer run without it (the pull must work where nothing is built),
and the content model, the contract between them all, must stay at the bottom.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from helpers import ROOT

PIPELINE = ["eminence_model", "eminence_pull", "eminence_desk", "eminence_showcase", "eminence_publish"]
MAX_LINES = 420  # a module past this is two modules (docs/internals.md)
# tasks.py is one concern, the command surface: a short wrapper per command (32 of them)
# and their help texts; what they share lives in eminence_model/refusals.py.
MAX_TASKS_LINES = 560


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
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("test_"), f"{path.name} imports {node.module}"


# -- Pelican behind one door -------------------------------------------------------------

ADAPTER = ROOT / "plugins" / "eminence_model" / "pelican_adapter.py"


def pelican_private_names() -> set[str]:
    """Every `_name` Pelican's own code defines: its private functions and methods and
    the private attributes it sets."""
    import pelican

    names = set()
    for path in Path(pelican.__file__).parent.rglob("*.py"):
        if "tests" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.ClassDef):
                names.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                names.add(node.attr)
    return {n for n in names if n.startswith("_") and not n.startswith("__")}


def names_used(path: Path) -> set[str]:
    """Attributes a module reads or sets and the functions and methods it defines."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute):
            found.add(node.attr)
        elif isinstance(node, ast.FunctionDef):
            found.add(node.name)
    return found


def test_only_the_adapter_touches_pelicans_private_names():
    private = pelican_private_names()
    assert {"_open_w", "_get_generator_classes", "_parse_metadata"} <= private  # the scan works
    for path in [*modules(), ROOT / "tasks.py"]:
        if path == ADAPTER:
            continue
        touched = names_used(path) & private
        assert not touched, (f"{path.relative_to(ROOT)} touches Pelican's private {sorted(touched)}: "
                             "move that use into eminence_model/pelican_adapter.py (PRIVATE_USES)")


def test_the_private_name_scan_sees_an_override_and_an_attribute(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("class W(Writer):\n    def _open_w(self):\n        return self._written_files\n")
    assert {"_open_w", "_written_files"} <= names_used(sample) & pelican_private_names()


# -- the showcase model is the only way to showcase data -----------------------------------

def context_reads(path: Path) -> list[str]:
    """`context[...]` / `context.get(...)` (or ctx) with a string key: reading Pelican's
    shared context."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        target = key = None
        if isinstance(node, ast.Subscript):
            target, key = node.value, node.slice
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "get" and node.args):
            target, key = node.func.value, node.args[0]
        if (isinstance(target, ast.Name) and target.id in ("context", "ctx")
                and isinstance(key, ast.Constant) and isinstance(key.value, str)):
            found.append(key.value)
    return found


def test_no_stage_but_the_showcase_reads_pelicans_context():
    for path in [*modules(), ROOT / "tasks.py"]:
        if path.parent.name == "eminence_showcase":
            continue
        reads = context_reads(path)
        assert not reads, (f"{path.relative_to(ROOT)} reads Pelican's context {reads}: the linked "
                           "showcase is eminence_model.showcase (runner.check or sources.read_showcase)")


def test_the_context_scan_sees_a_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f(context):\n    return context['topics'], context.get('experts', [])\n")
    assert context_reads(sample) == ["topics", "experts"]


# -- one table of settings ---------------------------------------------------------------

SETTING_NAME = re.compile(r"(?<![\w_])EMINENCE_[A-Z][A-Z_]*[A-Z]")


def test_every_setting_the_code_reads_is_in_the_table():
    from eminence_model.settings import TABLE

    read_by_code = [ROOT / "tasks.py", *modules(),
                    *sorted((ROOT / "theme" / "templates").rglob("*.html"))]
    environment = {"EMINENCE_PULL_ALLOW_ADDRESSES", "EMINENCE_REQUIRE_HTML_CHECK"}  # also variables
    for path in read_by_code:
        text = path.read_text(encoding="utf-8")
        unknown = set(SETTING_NAME.findall(text)) - set(TABLE) - environment
        assert not unknown, (f"{path.relative_to(ROOT)} reads {sorted(unknown)}: add each to "
                             "eminence_model/settings.py")
        inline = re.findall(r"(?<!environ)\.get\(\s*\"(EMINENCE_\w+)\"\s*,", text)
        assert not inline, (f"{path.relative_to(ROOT)} gives {inline} a default of its own: read it with "
                            "settings.setting() (the table holds the default)")


def test_the_docs_settings_tables_are_the_table():
    import ast as pyast

    from eminence_model.settings import TABLE

    docs = (ROOT / "docs" / "operating.md").read_text(encoding="utf-8")
    rows = {}
    for first, default in re.findall(r"^\| (.*?) \| (.*?) \|", docs, re.M):
        for name in re.findall(r"`(EMINENCE_\w+)`", first):
            rows[name] = default
    assert set(rows) == set(TABLE), ("docs/operating.md's settings tables and eminence_model/settings.py "
                                     f"differ: {sorted(set(rows) ^ set(TABLE))}")
    for name, default in rows.items():
        literal = default.strip("`") if re.fullmatch(r"`[^`]+`|-?\d+", default) else None
        if literal is not None:
            assert pyast.literal_eval(literal) == TABLE[name].default, (name, default)
