"""eminence_model.header: a post's metadata block as the editor typed it.

testdata/header/<case>.md is a post file; <case>.expected is every problem the check
must report for it, one "Field: message" line and its "  Fix: ..." line each (empty:
the block is valid). A new rule is a new pair of files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from eminence_model.header import header_problems
from eminence_model.schema import POST_FIELDS

CASES = sorted((Path(__file__).parent / "testdata" / "header").glob("*.md"))


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_header(path):
    found = [f"{field}: {message}\n  Fix: {fix}\n"
             for field, message, fix in header_problems(str(path), path.read_text(encoding="utf-8"),
                                                        POST_FIELDS)]
    assert "".join(found) == path.with_suffix(".expected").read_text(encoding="utf-8")


def test_every_case_has_its_expectation_and_one_is_valid():
    assert all(p.with_suffix(".expected").exists() for p in CASES)
    assert (CASES[0].parent / "valid.expected").read_text() == ""
