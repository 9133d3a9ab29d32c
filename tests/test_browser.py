"""The theme in real headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import re
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

PAGES = [
    "",
    "topics/",
    "topics/applied-ai/",
    "experts/",
    "experts/topic/security/",
    "experts/priya-raman/",
    "endorsements/",
    "posts/",
    "posts/malik-hassan/postmortem-ice-storm/",
    # Every kind of voice: the stream and its kind filter, a note, a talk, an episode.
    "experts/amara-nwosu/",
    "posts/notes/",
    "topics/grid-reliability/episodes/",
    "posts/amara-nwosu/supply-chain-security-tip-of-the-week-pin-your-ci/",
    "posts/lena-fischer/carbon-aware-batch-jobs-moving-work-to-when-the-grid-is-green/",
    "posts/oskar-berg/ep-12-black-start-drills-with-a-control-room-veteran/",
    "404.html",
    "search/",
    "coverage/",
]

class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder):
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def site_url(example_output):
    server, url = _serve(example_output)
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def sharded_site(tmp_path_factory):
    """The example with posts indexed in shards of about 4 pages, as a big showcase is."""
    from helpers import EXAMPLE, build

    out = tmp_path_factory.mktemp("sharded") / "output"
    build(EXAMPLE, out, EMINENCE_SEARCH_SHARD_PAGES=4)
    server, url = _serve(out)
    yield out, url
    server.shutdown()


def visit(browser, url, width=1280, scheme="light"):
    """Open url; return (page, console errors, hosts requested)."""
    context = browser.new_context(viewport={"width": width, "height": 800},
                                  color_scheme=scheme)
    page = context.new_page()
    errors, hosts = [], set()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: hosts.add(urlsplit(r.url).hostname))
    page.goto(url, wait_until="load")
    return page, errors, hosts


@pytest.mark.parametrize("path", PAGES)
def test_page_fits_360px_without_errors_or_outside_requests(browser, site_url, path):
    page, errors, hosts = visit(browser, site_url + path, width=360)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path}: horizontal scroll of {overflow}px at 360px"
    assert hosts == {"127.0.0.1"}, hosts
    page.context.close()
    # 404.html has no console error of its own; only a missing resource would log one.
    assert errors == [], errors


def contrast(fg, bg):
    def lum(rgb):
        def chan(c):
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (chan(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


COLOURS_JS = """
(sel) => {
  const el = document.querySelector(sel);
  const rgb = s => s.match(/\\d+/g).slice(0, 3).map(Number);
  let bgEl = el, bg = getComputedStyle(el).backgroundColor;
  while (bg === 'rgba(0, 0, 0, 0)' && bgEl.parentElement) {
    bgEl = bgEl.parentElement; bg = getComputedStyle(bgEl).backgroundColor;
  }
  return [rgb(getComputedStyle(el).color), rgb(bg)];
}
"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa_in_both_schemes(browser, site_url, scheme):
    page, _, _ = visit(browser, site_url, scheme=scheme)
    body_bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    is_dark = sum(int(x) for x in body_bg[4:-1].split(",")[:3]) < 200
    assert is_dark == (scheme == "dark"), body_bg
    for selector in (".hero h1", ".hero .lead", ".topic-card .card-title a", ".card-summary",
                     ".meta", ".chip", ".quote-card blockquote", ".badge", ".site-nav a"):
        fg, bg = page.evaluate(COLOURS_JS, selector)
        assert contrast(fg, bg) >= 4.5, f"{scheme}: {selector} contrast {contrast(fg, bg):.2f}"
    page.context.close()


def test_keyboard_reaches_skip_link_then_navigation(browser, site_url):
    page, _, _ = visit(browser, site_url + "topics/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    box = page.evaluate("document.activeElement.getBoundingClientRect().top")
    assert box >= 0, "the skip link must become visible when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_chart_labels_keep_the_text_size_and_bars_take_focus(browser, site_url, width):
    page, _, _ = visit(browser, site_url + "topics/applied-ai/", width=width)
    size = "selector => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize)"
    body, label = page.evaluate(size, ".prose"), page.evaluate(size, ".chart-months span")
    assert 0.7 * body <= label <= body, (label, body)
    first = page.locator("svg.chart g.chart-month[tabindex='0']").first
    first.focus()
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == first.get_attribute("aria-label") and " post" in focused
    fill = page.evaluate("getComputedStyle(document.activeElement.querySelector('.chart-hit')).fill")
    assert fill not in ("transparent", "rgba(0, 0, 0, 0)", "none"), fill  # a visible focus
    page.context.close()


def test_works_with_javascript_disabled(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "experts/")
    page.get_by_role("link", name="Security Engineering").first.click()
    assert page.url.endswith("/experts/topic/security/")
    names = page.locator(".expert-card .card-title").all_text_contents()
    assert sorted(n.strip() for n in names) == ["Amara Nwosu", "Daniel Osei", "Priya Raman",
                                                 "Sofia Kowalczyk"]
    context.close()


def test_the_stream_filters_by_kind_without_javascript(browser, site_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.goto(site_url)
    stream = page.locator("#latest ~ .stream-grid > .card")
    kinds = {c for classes in stream.evaluate_all("cards => cards.map(c => c.className)")
             for c in classes.split() if c.startswith("kind-")}
    assert {"kind-note", "kind-video", "kind-episode", "kind-article"} <= kinds
    page.get_by_role("navigation", name="Show by kind").get_by_role("link", name="Episodes").click()
    assert page.url.endswith("/posts/episodes/")
    cards = page.locator(".stream-grid > .card")
    assert cards.count() == 2 and page.locator(".stream-grid > .kind-episode").count() == 2
    listen = cards.first.get_by_role("link", name=re.compile(r"^Listen to the episode\s*: Ep\. 12"))
    assert listen.get_attribute("href") == "https://media.gridside.example.com/episodes/gridside-12.mp3"
    current = page.locator('.filter [aria-current="page"]')
    assert current.inner_text().split() == ["Episodes", "2"]
    # A note's card is its text: no headline, a link to its page from its date.
    page.goto(site_url + "posts/notes/")
    note = page.locator(".stream-grid > .kind-note").first
    assert note.locator(".card-title").count() == 0 and "40% of its Kubernetes YAML" in note.inner_text()
    note.get_by_role("link", name="Note by Amara Nwosu, 28 November 2026").click()
    assert page.locator("h1").inner_text() == "Note by Amara Nwosu, 28 November 2026"
    assert page.locator("link[rel=canonical]").get_attribute("href") == (
        "https://social.example.net/@amara/113500000000000003")
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", [*PAGES, "search/?q=grid"])
def test_no_accessibility_violations_at_any_impact(browser, site_url, path, scheme):
    from axe_playwright_python.sync_playwright import Axe

    page, _, _ = visit(browser, site_url + path, scheme=scheme)
    if "?q=" in path:  # the search page with its results, filters and "More results"
        page.wait_for_selector(".search-result", timeout=15000)
        page.wait_for_selector(".search-filter")
    violations = Axe().run(page).response["violations"]
    page.context.close()
    found = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert found == [], found


@pytest.mark.parametrize("path", PAGES)
def test_page_weight_under_150_kb_without_images(browser, site_url, path):
    context = browser.new_context()
    page = context.new_page()
    sizes = []
    page.on("response", lambda r: sizes.append((r.request.resource_type, len(r.body()))))
    page.goto(site_url + path, wait_until="load")
    context.close()
    total = sum(size for kind, size in sizes if kind != "image")
    assert total < 150 * 1024, (path, total, sizes)


def test_search_finds_a_post_and_filters_by_topic(browser, site_url):
    page, errors, hosts = visit(browser, site_url + "search/?q=calibration")
    page.wait_for_selector(".search-result .card-title a", timeout=15000)
    titles = page.locator(".search-result .card-title a").all_text_contents()
    assert "Calibration is a feature, not a metric" in titles
    assert page.locator("#search-status").inner_text().startswith("1 result for “calibration”")
    # One search box on the page: the header's form gives way to the page's own.
    assert page.locator("input[type=search]").count() == 1
    assert page.get_by_label("Search the showcase").input_value() == "calibration"
    page.wait_for_selector(".search-filter legend")
    assert page.locator(".search-filter legend").all_text_contents() == ["Topic", "Kind"]
    # No furniture in the excerpt: no initials, date, running time or "Read the original".
    excerpt = page.locator(".search-excerpt").first.inner_text()
    assert "Read the original" not in excerpt and "Subscribe" not in excerpt, excerpt
    assert page.locator(".search-excerpt mark").first.inner_text().lower() == "calibration"
    # Filtering by a topic the post is not in leaves none; by its own, it stays.
    page.get_by_role("checkbox", name="Security Engineering").check()
    page.wait_for_function("document.getElementById('search-status').textContent.startsWith('No results')")
    page.get_by_role("checkbox", name="Security Engineering").uncheck()
    page.get_by_role("checkbox", name="Applied AI").check()
    page.wait_for_function("document.getElementById('search-status').textContent.startsWith('1 result')")
    assert page.locator(".search-result .card-title a").all_text_contents() == [
        "Calibration is a feature, not a metric"]
    assert hosts == {"127.0.0.1"} and errors == []
    page.context.close()


def test_search_excerpts_carry_the_words_not_the_page_furniture(browser, site_url):
    page, errors, _ = visit(browser, site_url + "search/?q=Oskar")
    page.locator(".search-result .card-title a", has_text="Ep. 12").first.wait_for(timeout=15000)
    excerpts = page.locator(".search-excerpt").all_inner_texts()
    assert not any(t.startswith("OB ") or "Listen to the episode" in t or "(Atom)" in t
                   or " · " in t for t in excerpts), excerpts
    # The expert's name is still what finds their posts and their page.
    titles = page.locator(".search-result .card-title a").all_text_contents()
    assert "Oskar Berg" in titles and any(t.startswith("Ep. 1") for t in titles), titles
    assert errors == []
    page.context.close()


def test_search_merges_the_post_shards_and_the_site_index(browser, sharded_site):
    import json

    out, url = sharded_site
    shards = sorted(p.name for p in out.glob("pagefind-posts-*"))
    assert len(shards) >= 4, shards
    search_page = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert all(f"../{name}/" in search_page for name in shards)
    record = json.loads(next((out.parent / "cache").glob("eminence-search-*.json")).read_text())
    shard_of = {expert: name for name, experts in record.items() if name in shards for expert in experts}

    page, errors, hosts = visit(browser, url + "search/?q=the")
    page.wait_for_selector(".search-result .card-title a", timeout=15000)
    while page.locator("#search-more").is_visible():  # "More results"
        page.locator("#search-more").click()
        page.wait_for_timeout(300)
    links = page.eval_on_selector_all(".search-result .card-title a", "els => els.map(e => e.href)")
    experts = {urlsplit(h).path.split("/")[2] for h in links if urlsplit(h).path.startswith("/posts/")}
    assert len({shard_of[e] for e in experts}) >= 3, (experts, shard_of)  # several shards answered
    assert hosts == {"127.0.0.1"} and errors == []
    page.context.close()
    # An expert's own page is in the site index, found through the same search box.
    page, errors, _ = visit(browser, url + "search/?q=Priya")
    # Results from the merged indexes arrive one index at a time: wait for this one
    # (reading the list at the first result failed when a topic page came first).
    expert = page.locator(".search-result .card-title a", has_text="Priya Raman").first
    expert.wait_for(timeout=15000)
    assert "Priya Raman" in " ".join(page.locator(".search-result .card-title a").all_text_contents())
    assert errors == []
    page.context.close()


def test_header_search_form_submits_to_the_search_page(browser, site_url):
    page, _, _ = visit(browser, site_url + "experts/")
    page.fill("#q", "ice storm")
    page.press("#q", "Enter")
    page.wait_for_selector(".search-result .card-title a", timeout=15000)
    assert "Post-incident review: the ice storm weekend" in page.locator(
        ".search-result .card-title a").all_text_contents()
    page.context.close()


def test_search_without_javascript_explains_itself(browser, site_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + "search/?q=anything")
    assert "needs JavaScript" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="by topic").count() == 1
    context.close()
