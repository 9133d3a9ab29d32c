"""Golden output: the bundled example's pages, normalised, against tests/golden/.

One build of the example (the session's `example_output`) and a page of each kind:
the home page, a topic's stream, an expert's, a post, the streams of all posts, the
endorsement wall, the coverage page, the 404 page and a topic's Atom feed. Any change
to what these pages say or how they are marked up fails here with the page and the
first lines that differ, so a theme change is always a deliberate one. After an
intended change, rewrite the files (that run fails, page by page, saying so), review
their diff like code and run the test again:

    EMINENCE_UPDATE_GOLDEN=1 python3 -m pytest tests/test_golden.py

Builds are reproducible (SOURCE_DATE_EPOCH in conftest.py fixes the charts' month);
normalising only re-indents the markup, one element per line, so the diffs read.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

GOLDEN = Path(__file__).parent / "golden" / "kestrel-works"
PAGES = [
    "index.html",
    "topics/grid-reliability/index.html",
    "experts/oskar-berg/index.html",
    "posts/oskar-berg/ep-11-forecasting-wind-with-machine-learning/index.html",
    "posts/index.html",
    "endorsements/index.html",
    "coverage/index.html",
    "404.html",
    "feeds/topics/grid-reliability.atom.xml",
]


def normalised(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    parser = "xml" if path.suffix == ".xml" else "html.parser"
    return BeautifulSoup(text, parser).prettify()


def golden_name(page: str) -> str:
    return page.replace("/", "__")


@pytest.mark.parametrize("page", PAGES)
def test_page_matches_its_golden_copy(example_output, page):
    got = normalised(example_output / page)
    golden = GOLDEN / golden_name(page)
    if os.environ.get("EMINENCE_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(got, encoding="utf-8")
        # Never a pass: a run that writes the copies has compared nothing (CI never sets it).
        pytest.fail(f"wrote {golden.relative_to(Path(__file__).parent)}: review its diff, then run "
                    "again without EMINENCE_UPDATE_GOLDEN")
    expected = golden.read_text(encoding="utf-8")
    if got != expected:
        diff = list(difflib.unified_diff(expected.splitlines(), got.splitlines(), "golden", "built",
                                         lineterm="", n=2))
        pytest.fail(f"{page} differs from tests/golden/kestrel-works/{golden.name} (EMINENCE_UPDATE_GOLDEN=1 "
                    "rewrites it after an intended change):\n" + "\n".join(diff[:60]))


def test_every_golden_file_is_a_page_checked():
    assert sorted(p.name for p in GOLDEN.iterdir()) == sorted(map(golden_name, PAGES))
