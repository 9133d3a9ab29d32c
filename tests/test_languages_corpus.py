"""The corpus's non-English feeds pulled and built as a global company would (issue #31):
per feed, the language written (declared by the feed, else detected), said by the post
page, its card on an English page, its JSON-LD and its Atom entry; and words of a German
and a Chinese post found by Pagefind from the site's search page in Chromium."""

from __future__ import annotations

import json
import re
from collections import Counter

import feedparser
import pytest

from feedserver import FeedServer, Response
from helpers import SMALL_SITE, PullSite, page, served, shared_corpus, write

# (file in realworld/odd, the expert's slug, the language its posts are in, declared?)
FEEDS = [
    ("enc_iso8859-1_golem_feedcreator.xml", "golem", "de", True),
    ("rdf_rss090_heise.xml", "heise", "de", False),
    ("enc_iso8859-1_undeclared_lecerclepsy.xml", "lecerclepsy", "fr", False),
    ("enc_iso8859-1_no_decl_uol.xml", "uol", "pt", False),
    ("enc_windows-1251_ibash.xml", "ibash", "ru", True),
    ("enc_gb2312_kc0011_dvbbs.xml", "kc0011", "zh-CN", True),
    ("enc_iso8859-7_liberal_gr.xml", "liberal", "el", True),
]


@pytest.fixture(scope="module")
def showcase(tmp_path_factory):
    """The seven feeds, one expert each, pulled (trusted: published) and built with search."""
    corpus = shared_corpus("realworld") / "odd"
    server = FeedServer()
    tmp = tmp_path_factory.mktemp("languages")
    content = tmp / "content"
    for rel, text in SMALL_SITE.items():
        if not rel.startswith(("experts/", "posts/", "endorsements/")):
            write(content, rel, text)
    for name, slug, _, _ in FEEDS:
        url = server.add(f"/{name}", Response((corpus / name).read_bytes(), content_type="application/xml"))
        write(content, f"experts/{slug}.md",
              f"Title: {slug}\nTopics: ai\nTrusted: yes\nFeeds: {url}\n\nBio.\n")
    site = PullSite(content, tmp)
    site.pull(EMINENCE_PULL_NEW_EXPERT_LIMIT=1000)
    server.close()
    yield site, site.build()


def langs(site: PullSite, slug: str) -> dict[str, str | None]:
    return {name: (re.search(r"(?m)^Lang: (.*)$", text) or [None, None])[1]
            for name, text in site.posts(slug).items()}


@pytest.mark.parametrize(("name", "slug", "lang", "declared"), FEEDS, ids=[f[1] for f in FEEDS])
def test_each_feeds_posts_say_their_language(showcase, name, slug, lang, declared):
    site, out = showcase
    written = langs(site, slug)
    assert written, f"{name}: no post pulled"
    counts = Counter(written.values())
    if declared:
        assert counts == {lang: len(written)}, counts  # every post: the feed's declaration
    else:
        # Detected: never a wrong language; a text too short to tell is left to the
        # expert's language, else the site's (no line).
        assert set(counts) <= {lang, None}, counts
        assert counts[lang] >= 0.8 * len(written), counts
    post, tag = next((n, t) for n, t in written.items() if t)
    article = page(out, f"posts/{slug}/{post.removesuffix('.md')}/")
    assert article.html["lang"] == tag
    ld = json.loads(article.find("script", type="application/ld+json").string)
    assert ld["inLanguage"] == tag
    assert article.select_one(".original a")["hreflang"] == tag  # the link to where it was said
    # On the expert's (English) page, the card's title says its language.
    profile = page(out, f"experts/{slug}/")
    assert profile.html["lang"] == "en"
    titles = {t["lang"] for t in profile.select(".post-card .card-title[lang]")}
    assert titles == set(counts) - {None}
    feed = feedparser.parse((out / "feeds" / "experts" / f"{slug}.atom.xml").read_bytes())
    assert {e.title_detail.language for e in feed.entries} <= {tag, "en"}
    assert any(e.title_detail.language == tag for e in feed.entries)


@pytest.mark.parametrize(("word", "expert"), [("Vorsichtsmaßnahmen", "heise"), ("华表", "kc0011")])
def test_a_german_and_a_chinese_word_are_found_from_the_search_page(showcase, browser, word, expert):
    """Pagefind indexes each post in its language (the extended build segments Chinese),
    and the site's English search page searches every language."""
    _, out = showcase
    with served(out) as base:
        context = browser.new_context()
        tab = context.new_page()
        tab.goto(f"{base}search/?q={word}")
        tab.wait_for_selector(".search-result", timeout=20000)
        links = tab.locator(".search-result .card-title a").evaluate_all("els => els.map(e => e.href)")
        assert any(f"/posts/{expert}/" in link for link in links), links
        context.close()
