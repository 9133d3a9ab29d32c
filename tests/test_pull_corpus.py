"""Ingestion over feedparser's own ~2,100 test feeds (../shared/corpora/feedparser):
no crash, every problem reported, nothing script-capable reaches the built site."""

from __future__ import annotations

from pathlib import Path

import pytest

from feedserver import Response
from helpers import ROOT, SMALL_SITE, PullSite, script_capable, shared_corpus, write

CORPUS = ROOT.parent / "shared" / "corpora" / "feedparser"
FEEDS_PER_EXPERT = 100


def corpus_files() -> list[Path]:
    shared_corpus("feedparser")
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".xml", ".rdf", ".rss",
                                                                                ".atom", ".txt", ""))


@pytest.fixture(scope="module")
def corpus_pull(tmp_path_factory):
    from feedserver import FeedServer

    files = [p for p in corpus_files() if p.name not in ("README.md", "LICENSE")]
    server = FeedServer()
    urls = [server.add("/" + str(p.relative_to(CORPUS)), Response(p.read_bytes(),
                                                                  content_type="application/xml"))
            for p in files]
    tmp = tmp_path_factory.mktemp("corpus")
    content = tmp / "content"
    for rel, text in SMALL_SITE.items():
        if not rel.startswith("experts/"):
            write(content, rel, text)
    write(content, "experts/ada.md", "Title: Ada\nTopics: ai\n\nBio.\n")
    write(content, "experts/bob.md", "Title: Bob\nTopics: security\n\nBio.\n")
    for n in range(0, len(urls), FEEDS_PER_EXPERT):
        chunk = urls[n:n + FEEDS_PER_EXPERT]
        write(content, f"experts/corpus-{n // FEEDS_PER_EXPERT:02}.md",
              f"Title: Corpus {n}\nTopics: ai, security\nTrusted: yes\nFeeds: {', '.join(chunk)}\n\nBio.\n")
    site = PullSite(content, tmp)
    summary = site.pull(EMINENCE_PULL_MODE="full", EMINENCE_PULL_TIMEOUT=20)
    yield site, summary, urls
    server.close()


def test_the_corpus_is_all_there():
    assert len(corpus_files()) > 2000


def test_every_corpus_feed_is_pulled_or_its_problem_reported(corpus_pull):
    site, summary, urls = corpus_pull
    health = site.health()
    reported = {u for _, u, _ in summary.problems}
    for url in urls:
        h = health[url]
        assert h.get("status") == 200, (url, h)
        if "error" in h:
            assert url in reported, (url, h)  # a failure is never silent
        else:
            assert "entries" in h, (url, h)
    assert summary.feeds == len(urls)
    # Most corpus entries share permalinks (http://example.com/...): one post each.
    assert summary.new > 100, summary.lines()[:2]


def test_no_script_capable_construct_reaches_the_built_site(corpus_pull):
    site, _, _ = corpus_pull
    out = site.build()
    pages = list((out / "posts").rglob("index.html"))
    assert len(pages) > 100
    problems = {}
    for page in out.rglob("*.html"):
        found = script_capable(page.read_text(encoding="utf-8"))
        if found:
            problems[str(page.relative_to(out))] = found
    assert problems == {}, dict(list(problems.items())[:10])


@pytest.mark.parametrize("mode", ["full", "excerpt"])
def test_every_corpus_entry_converts_to_inert_markdown(mode):
    """Every entry of every file, without de-duplication and without the build's
    second sanitizing pass: the Markdown alone must render to inert HTML."""
    import markdown

    from eminence_pull.parse import parse_feed
    from eminence_pull.render import render_post

    render = markdown.Markdown(extensions=["extra", "meta"], output_format="html5")
    problems, entries, empty = {}, 0, 0
    for path in corpus_files():
        url = "http://127.0.0.1/" + str(path.relative_to(CORPUS))
        parsed = parse_feed(path.read_bytes(), url, "application/xml", mode=mode)
        assert parsed.ok or parsed.problems, path  # a failure always says why
        # Converted too, then skipped with the reason: no title, text, link or media
        # (a sanitizer vector whose whole body is a script, a feed-level-fields test).
        empty += sum("nothing to publish" in p for p in parsed.problems)
        for entry in parsed.entries:
            entries += 1
            text = render_post([("Title", entry.title), ("Status", "draft")], entry.body).decode()
            html = render.reset().convert(text)
            # Feed text added no metadata line and changed none.
            assert set(render.Meta) == {"title", "status"}, (path, render.Meta)
            assert render.Meta["status"] == ["draft"], (path, render.Meta)
            found = script_capable(html)
            if found:
                problems[f"{path.relative_to(CORPUS)}: {entry.title[:40]}"] = found
    # 1,217 entries in the 2,108 files (many test feed-level fields only): ~575 with
    # something to publish, the rest skipped as empty, never published as "Untitled post".
    assert entries > 500 and entries + empty > 1200, (entries, empty)
    assert problems == {}, dict(list(problems.items())[:10])


def test_every_corpus_entry_read_as_a_watch_feed_gives_an_inert_candidate_or_a_reason():
    """The same corpus as watch feeds, with brand terms common in it: each entry is a
    candidate with a quote, or dropped with a reason; each quote renders inert and adds
    no metadata line."""
    import markdown

    from eminence_pull.candidates import DROP_REASONS, quote_markdown
    from eminence_pull.mentions import parse_watch
    from eminence_pull.render import render_post

    # The words most entries with prose contain (most corpus entries have none).
    brands = ["description", "text", "example", "some", "safe", "atom", "click", "here", "test",
              "content", "blah", "free", "описание", "alert", "script"]
    render = markdown.Markdown(extensions=["extra", "meta"], output_format="html5")
    problems, quotes, drops = {}, 0, 0
    for path in corpus_files():
        url = "http://127.0.0.1/" + str(path.relative_to(CORPUS))
        parsed = parse_watch(path.read_bytes(), url, "application/xml", brands, {}, {"ada": ["Ada"]})
        assert parsed.ok or parsed.problems, path
        for m in parsed.entries:
            assert m.drop is None or m.drop in DROP_REASONS, (path, m.drop)
            drops += m.drop is not None
            if not m.quote:
                continue
            # Also the quotes of entries dropped only for want of a permalink.
            quotes += 1
            assert m.terms and (m.source or m.drop == "no_permalink"), (path, m)
            text = render_post([("Endorser", m.author or "x"), ("Status", "draft")],
                               quote_markdown(m.quote)).decode()
            html = render.reset().convert(text)
            assert set(render.Meta) == {"endorser", "status"}, (path, render.Meta)
            found = script_capable(html)
            if found:
                problems[str(path.relative_to(CORPUS))] = found
    assert quotes > 100 and drops > 800, (quotes, drops)
    assert problems == {}, dict(list(problems.items())[:10])


def test_the_buffered_sax_driver_changes_no_parse_result():
    """eminence_pull.sax_driver (expat with buffer_text) must give feedparser exactly
    the result Python's own expat driver gives, on every corpus feed."""
    import io
    from unittest import mock

    import feedparser
    import feedparser.api

    from eminence_pull import sax_driver
    from eminence_pull.parse import feedparse

    def parse_all() -> dict:
        results = {}
        for path in corpus_files():
            data = path.read_bytes()
            parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False,
                                      response_headers={"content-type": "application/xml"})
            results[path] = repr((parsed.get("bozo"), parsed.get("bozo_exception"), parsed.get("version"),
                                  parsed.get("encoding"), parsed.feed, parsed.entries))
        return results

    with mock.patch.object(feedparser.api, "PREFERRED_XML_PARSERS", []):
        plain = parse_all()
        created = []
        with mock.patch.object(sax_driver, "create_parser",
                               side_effect=lambda: created.append(1) or sax_driver.BufferedExpatParser()):
            feedparse(b"<rss version='2.0'><channel/></rss>", "http://127.0.0.1/x", None,
                      type("Result", (), {"problems": []})())  # the pull's own call installs it
            assert feedparser.api.PREFERRED_XML_PARSERS == [sax_driver.NAME]
            buffered = parse_all()
        assert len(created) > 1000  # the driver did parse the corpus
    different = [str(p.relative_to(CORPUS)) for p in plain if plain[p] != buffered[p]]
    assert len(plain) > 2000 and different == [], different[:10]


@pytest.mark.parametrize("words", [1, 80])
def test_excerpt_conversion_stops_early_with_the_same_excerpt(words):
    """In excerpt mode the pull converts a post only as far as the excerpt reaches
    (html_to_blocks with a limit). The excerpt, the plain text and the sanitized HTML
    (its content hash) must be what converting the whole post gives, for every entry."""
    from eminence_pull.convert import excerpt, html_to_blocks
    from eminence_pull.parse import ParsedFeed, entry_html, entry_link, feedparse

    checked = cut = 0
    for path in corpus_files():
        url = "http://127.0.0.1/" + str(path.relative_to(CORPUS))
        parsed = feedparse(path.read_bytes(), url, "application/xml", ParsedFeed(url))
        for raw in parsed.entries if parsed else []:
            html, base = entry_html(raw, url, entry_link(raw, url))
            whole, part = html_to_blocks(html, base), html_to_blocks(html, base, words)
            assert excerpt(part.blocks, words) == excerpt(whole.blocks, words), path
            assert (part.text, part.html) == (whole.text, whole.html), path
            checked += 1
            cut += len(part.blocks) < len(whole.blocks)
    # Corpus entries are short: a one-word budget is what makes many of them stop early.
    assert checked > 1200 and (cut > 10 if words == 1 else True), (checked, cut)
