"""What Eminence takes from Pelican beyond its documented API, checked against the
Pelican installed: an upgrade that changes one of these fails here, naming the Eminence
code that depends on it, instead of somewhere deep in a build.

The list is also the inventory the layout test holds the code to: a module that starts
using another private Pelican name must add it here (test_no_other_private_pelican_name).
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from helpers import ROOT

# (Pelican object, its private attribute, what in Eminence depends on it and why)
CONTRACT = [
    ("pelican.Pelican", "_get_generator_classes",
     "eminence_showcase/runner.py check(): the generators Pelican.run() uses, read without writing"),
    ("pelican.Pelican", "delete_outputdir",
     "eminence_showcase/__init__.py: the incremental build keeps the output, removing only stale files"),
    ("pelican.writers.Writer", "_open_w",
     "eminence_showcase/output.py OutputWriter: pages written whole, fingerprinted, skipped if unchanged"),
    ("pelican.writers.Writer", "_written_files",
     "eminence_showcase/output.py: Pelican's guard against two pages writing one file, across processes"),
    ("pelican.writers.Writer", "_overridden_files",
     "eminence_showcase/output.py OutputWriter._open_w: the same guard, as Pelican keeps it"),
    ("pelican.readers.MarkdownReader", "_parse_metadata",
     "eminence_model/markdown_reader.py: one Markdown instance per reader, metadata parsed by Pelican"),
    ("pelican.readers.MarkdownReader", "_md",
     "eminence_model/markdown_reader.py: formatted fields (Summary) converted by the reader's instance"),
    ("pelican.readers.MarkdownReader", "_source_path",
     "eminence_model/markdown_reader.py: Pelican's reader keeps the file it reads on itself"),
    ("pelican.generators.ArticlesGenerator", "generate_tags",
     "eminence_showcase/__init__.py skip_unsaved_lists: tag pages saved nowhere are not gathered"),
    ("pelican.generators.ArticlesGenerator", "generate_categories",
     "eminence_showcase/__init__.py skip_unsaved_lists"),
    ("pelican.generators.ArticlesGenerator", "generate_authors",
     "eminence_showcase/__init__.py skip_unsaved_lists"),
]


def _object(dotted: str):
    import importlib

    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _has(cls, attribute: str) -> bool:
    """A method or class attribute, or an attribute its __init__ (or a method) sets."""
    if hasattr(cls, attribute):
        return True
    source = inspect.getsource(cls)
    return f"self.{attribute} =" in source or f"self.{attribute}=" in source


@pytest.mark.parametrize(("owner", "attribute", "why"), CONTRACT, ids=[f"{o}.{a}" for o, a, _ in CONTRACT])
def test_pelican_still_has_what_eminence_relies_on(owner, attribute, why):
    import pelican

    assert _has(_object(owner), attribute), (
        f"Pelican {pelican.__version__} has no {owner}.{attribute}, which {why}. Adapt that code "
        "(and this list) before upgrading Pelican.")


def test_the_reader_methods_keep_their_signatures():
    from pelican.readers import MarkdownReader
    from pelican.writers import Writer

    assert list(inspect.signature(MarkdownReader._parse_metadata).parameters) == ["self", "meta"]
    assert list(inspect.signature(Writer._open_w).parameters)[:3] == ["self", "filename", "encoding"]


def private_pelican_names(path: Path) -> set[str]:
    """`x._name` attributes used in a module that imports Pelican, other than its own
    (self._…, cls._…) and dunders: where a private Pelican name would appear."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imports_pelican = any(isinstance(n, (ast.Import, ast.ImportFrom)) and "pelican" in ast.unparse(n)
                          for n in ast.walk(tree))
    if not imports_pelican:
        return set()
    own = {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = ast.unparse(node.value)
            if base not in ("self", "cls") and node.attr not in own and not node.attr.startswith("_eminence"):
                found.add(node.attr)
    return found


def test_no_other_private_pelican_name():
    allowed = {attribute for _, attribute, _ in CONTRACT}
    for path in sorted((ROOT / "plugins").glob("eminence_*/*.py")):
        extra = private_pelican_names(path) - allowed
        assert not extra, (f"{path.relative_to(ROOT)} uses {sorted(extra)}: if Pelican's, add each to "
                           "CONTRACT in tests/test_pelican_contract.py with what depends on it")


def test_the_scan_sees_a_private_name(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("from pelican import Pelican\n\ndef f(p: Pelican):\n    return p._secret_list\n")
    assert private_pelican_names(sample) == {"_secret_list"}
