"""Lighthouse (pinned in tools/lighthouse, run in Debian's Chromium) on every page kind of
the example's production build, mobile and desktop: accessibility, best practices and SEO
score 100 (the 404 page's SEO aside: it asks not to be indexed), performance at least 95.

The build's SITEURL is this test's own server on 127.0.0.1, so every absolute URL a
production page holds is served here; Chromium is also told to resolve no other host,
so nothing it loads can leave the machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers import ROOT, build_as_published, example_project

AUDIT = ROOT / "tools" / "lighthouse"
KINDS = [  # one page of each kind, as in test_browser.py, and the search page with results
    "", "topics/", "topics/applied-ai/", "experts/", "experts/topic/security/", "experts/priya-raman/",
    "endorsements/", "posts/", "posts/malik-hassan/postmortem-ice-storm/", "experts/amara-nwosu/",
    "posts/notes/", "topics/grid-reliability/episodes/",
    "posts/amara-nwosu/supply-chain-security-tip-of-the-week-pin-your-ci/",
    "posts/lena-fischer/carbon-aware-batch-jobs-moving-work-to-when-the-grid-is-green/",
    "posts/oskar-berg/ep-12-black-start-drills-with-a-control-room-veteran/",
    "404.html", "search/?q=grid", "coverage/",
]


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def production_site(tmp_path_factory):
    node = shutil.which("node")
    if node is None or not (AUDIT / "node_modules" / "lighthouse").is_dir():
        pytest.fail("Lighthouse needs Node.js and `npm ci --prefix tools/lighthouse` "
                    "(python3 tools/testenv.py installs it)")
    project = example_project(tmp_path_factory.mktemp("lighthouse") / "project")
    out = project / "output"
    out.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_address[1]}"
    build_as_published(project, site)
    yield site, out
    server.shutdown()


def audit(site: str, preset: str, kinds=KINDS) -> dict[str, dict]:
    urls = "\n".join(f"{site}/{kind}" for kind in kinds)
    env = {**os.environ, "CHROME_PATH": shutil.which("chromium") or "chromium"}
    run = subprocess.run(["node", str(AUDIT / "audit.mjs"), preset], input=urls, capture_output=True,
                         text=True, env=env, timeout=900, cwd=AUDIT)
    assert run.returncode == 0, run.stderr[-2000:]
    return {json.loads(line)["url"][len(site) + 1:]: json.loads(line) for line in run.stdout.splitlines()}


@pytest.mark.parametrize("preset", ["mobile", "desktop"])
def test_every_page_kind_scores_full_marks(production_site, preset):
    site, _ = production_site
    results = audit(site, preset)
    assert sorted(results) == sorted(KINDS)
    short = []
    for kind, result in results.items():
        assert result["error"] is None, (kind, result["error"])
        for category in ("accessibility", "best-practices", "seo"):
            if category == "seo" and kind == "404.html":
                continue
            if result["scores"][category] != 1:
                short.append((kind, category, result["scores"][category],
                              [f for f in result["failing"] if f["category"] == category]))
        if result["scores"]["performance"] < 0.95:
            short.append((kind, "performance", result["scores"]["performance"], result["failing"]))
    if any(category == "performance" for _, category, _, _ in short):
        # Performance is timed on a shared machine: a page short of it gets one quieter run.
        again = audit(site, preset)
        short = [s for s in short if s[1] != "performance" or again[s[0]]["scores"]["performance"] < 0.95]
    assert short == [], json.dumps(short, indent=1)


def test_the_audit_fails_a_page_that_falls_short(production_site):
    """The audit itself can fail: a page without a language, a description or alt text."""
    site, out = production_site
    (out / "short").mkdir()
    (out / "short" / "index.html").write_text(
        '<!doctype html><html><head><title>x</title></head><body><img src="/theme/img/favicon.svg">'
        '<a href="/"></a></body></html>')
    result = audit(site, "mobile", ["short/"])["short/"]
    assert result["scores"]["accessibility"] < 1 and result["scores"]["seo"] < 1, result
    failing = {f["id"] for f in result["failing"]}
    assert {"image-alt", "html-has-lang", "meta-description"} <= failing, failing
