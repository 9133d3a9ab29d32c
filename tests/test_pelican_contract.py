"""What Eminence takes from Pelican beyond its documented API, checked against the
Pelican installed: an upgrade that changes one of these fails here, naming the Eminence
code that depends on it, instead of somewhere deep in a build.

The list is eminence_model/pelican_adapter.py's PRIVATE_USES, the one module that may
touch them (tests/test_layout.py holds every other module to that).
"""

from __future__ import annotations

import inspect

import pytest

from eminence_model.pelican_adapter import PRIVATE_USES

CONTRACT = [(u.owner, u.name, u.why) for u in PRIVATE_USES]


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
