"""What search engines and assistive tools read, on the example built as CI publishes it:
one story (the sitemap lists exactly the pages that are their own canonical), a
description of its own on every page, and headings and labels that screen readers and
checkers (axe, the Nu checker) accept."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter

from helpers import build, page, site_pages, write

SITE = "https://showcase.example.com"


def sitemap(output) -> set[str]:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    return {u.findtext("s:loc", namespaces=ns)
            for u in ET.parse(output / "sitemap.xml").getroot().findall("s:url", ns)}


def test_the_sitemap_lists_only_pages_that_are_their_own_canonical(published):
    canonical = {}
    for rel, soup in site_pages(published):
        link = soup.select_one('link[rel="canonical"]')
        url = f"{SITE}/{rel.removesuffix('index.html')}"
        canonical[url] = link["href"] if link else None
    listed = sitemap(published)
    assert listed and all(canonical.get(url) == url for url in listed), sorted(
        url for url in listed if canonical.get(url) != url)
    # The example's posts all name their Original: indexed there, not listed here.
    posts = [u for u in canonical if "/posts/" in u and u.count("/") > 5 and "/page/" not in u]
    assert posts and not any(u in listed for u in posts)
    assert all(canonical[u] != u for u in posts)


def test_a_post_without_an_original_is_its_own_canonical_and_in_the_sitemap(small_site, tmp_path):
    write(small_site, "posts/ada/own-words.md", """
        Title: In my own words
        Date: 2026-03-01
        Expert: ada
        Topics: ai

        Written here first.
        """)
    out = tmp_path / "out"
    build(small_site, out, SITEURL=SITE, EMINENCE_SEARCH=False)
    url = f"{SITE}/posts/ada/own-words/"
    assert page(out, "posts/ada/own-words/").select_one('link[rel="canonical"]')["href"] == url
    assert url in sitemap(out)


def test_every_page_has_a_description_of_its_own(published):
    descriptions = {rel: soup.select_one('meta[name="description"]')["content"]
                    for rel, soup in site_pages(published)}
    shared = {d: n for d, n in Counter(descriptions.values()).items() if n > 1}
    assert not shared, {d: [r for r, x in descriptions.items() if x == d][:4] for d in shared}
    for rel, text in descriptions.items():
        assert text.strip() and len(text) <= 230, (rel, text)
        assert not text.endswith(("....", ".…", "...")), (rel, text)


def test_headings_never_skip_a_level(published):
    for rel, soup in site_pages(published):
        levels = [int(h.name[1]) for h in soup.select("h1, h2, h3, h4, h5, h6")]
        deepest = 0
        for level in levels:
            assert level <= deepest + 1, (rel, levels)
            deepest = level


def test_no_label_where_aria_prohibits_it_and_every_card_has_a_heading(published):
    for rel, soup in site_pages(published):
        # A span or div without a role cannot be named (ARIA 1.2): a screen reader would
        # read only its text. Lists are named by what they hold, not by a label.
        named = soup.select("span[aria-label]:not([role]), div[aria-label]:not([role]), ul[aria-label]")
        assert not named, (rel, [str(n)[:80] for n in named])
        for card in soup.select("article.card"):
            assert card.select("h2, h3, h4"), (rel, str(card)[:120])
