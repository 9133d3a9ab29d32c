"""eminence_pull.links: a URL normalised for identity (the ledger's key) and cleaned
for citation (a post's Original, an endorsement's Source).

testdata/links/cases.json: each URL with both expected forms (null: not a web link).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eminence_pull.links import clean_link, normalise_url

CASES = json.loads((Path(__file__).parent / "testdata" / "links" / "cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["url"][:40] or "(empty)" for c in CASES])
def test_normalised_and_cleaned(case):
    assert (normalise_url(case["url"]), clean_link(case["url"])) == (case["normalised"], case["cleaned"])
