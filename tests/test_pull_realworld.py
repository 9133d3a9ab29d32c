"""Real platforms' feeds (../shared/corpora/realworld, 88 captures: WordPress, Blogger,
Medium, Ghost, FeedBurner, podcasts, JSON Feed, Google Alerts and News, Mastodon...)
pulled from a real server on 127.0.0.1, checked feed by feed: every entry becomes a
post or is reported, every post has its words, links point at the publisher, titles
are clean text, media keep their link.

The files are read in place (never copied into the project); PROVENANCE.md there
says where each comes from.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from eminence_pull.mentions import parse_watch
from eminence_pull.parse import ParsedFeed, feedparse, parse_feed
from feedserver import FeedServer, Response
from helpers import SMALL_SITE, PullSite, shared_corpus, write

REDIRECTORS = re.compile(r"feedproxy\.google\.com|google\.com/url\?|bing\.com/news/apiclick")
ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);", re.I)
# CJK is written without spaces: each character counts as a word.
WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]|[^\s\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")
MARKDOWN_LINK = re.compile(r"\[Image(?:: [^\]]*)?\]\([^)]*\)|\]\([^)]*\)|[\[\]]")


def words(text: str) -> int:
    return len(WORD.findall(text))


def content_type(path: Path) -> str:
    return "application/feed+json" if path.suffix == ".json" else "application/xml"


def files() -> list[Path]:
    return sorted(p for p in shared_corpus("realworld").rglob("*") if p.suffix in (".xml", ".json"))


def slug(path: Path) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")


@pytest.fixture(scope="module")
def pulled(tmp_path_factory):
    """Every file as one expert's feed, pulled once (excerpt mode, as editors get it)."""
    server = FeedServer()
    tmp = tmp_path_factory.mktemp("realworld")
    content = tmp / "content"
    for rel, text in SMALL_SITE.items():
        if not rel.startswith(("experts/", "posts/", "endorsements/")):
            write(content, rel, text)
    feeds = {}
    for path in files():
        url = server.add(f"/{path.parent.name}/{path.name}", Response(path.read_bytes(),
                                                                     content_type=content_type(path)))
        feeds[path] = url
        write(content, f"experts/{slug(path)}.md",
              f"Title: {path.stem}\nTopics: ai\nTrusted: yes\nFeeds: {url}\n\nBio.\n")
    site = PullSite(content, tmp)
    summary = site.pull(EMINENCE_PULL_NEW_EXPERT_LIMIT=100_000, EMINENCE_PULL_TIMEOUT=20)
    yield site, summary, feeds
    server.close()


@functools.cache
def offered(path: Path, url: str):
    """(feedparser's entries, the pull's own parse of them) for one file."""
    data = path.read_bytes()
    raw = feedparse(data, url, content_type(path), ParsedFeed(url))
    return (raw.entries if raw is not None else []), parse_feed(data, url, content_type(path))


def post_of(site, path: Path, entry) -> Path | None:
    if not hasattr(site, "ledger_once"):
        site.ledger_once = site.ledger()  # read once: the checks ask for every entry
    rec = site.ledger_once.get(f"{slug(path)}|{entry.key}")
    return site.content / rec["file"] if rec and rec.get("file") else None


def header(post: Path) -> dict[str, str]:
    head = post.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return dict(line.split(": ", 1) for line in head.splitlines())


def publishable(raw) -> bool:
    """What parse_feed keeps: an entry with a title, some text, a link or media (an entry
    with none is skipped as having nothing to publish, and said)."""
    text = " ".join([raw.get("title") or "", raw.get("summary") or "",
                     *(c.get("value") or "" for c in raw.get("content") or [])])
    return bool(BeautifulSoup(text, "html.parser").get_text().strip() or raw.get("link")
                or raw.get("enclosures"))


def written(site, feeds):
    """(file, feedparser's entry, the pull's entry, its post) for every entry that has a
    post of its own (a merged entry's post is the other entry's; the summary names both)."""
    for path, url in feeds.items():
        raw, parsed = offered(path, url)
        raw = [entry for entry in raw if publishable(entry)]
        assert len(raw) == len(parsed.entries), path.name
        for entry, mine in zip(raw, parsed.entries, strict=True):
            post = post_of(site, path, mine)
            if post is not None and header(post)["Title"] == mine.title:
                yield path, entry, mine, post


def feed_text(raw) -> str:
    values = [c.get("value", "") for c in raw.get("content") or []] + [raw.get("summary") or ""]
    return max((BeautifulSoup(v, "html.parser").get_text(" ") for v in values), key=words, default="")


def prose(post: Path) -> str:
    body = post.read_text(encoding="utf-8").split("\n\n", 1)[1]
    return MARKDOWN_LINK.sub(" ", body)


ASIDE = "a {} (EMINENCE_PULL_REPLIES is off)"


def test_the_realworld_corpus_is_all_there():
    assert len(files()) == 88


def test_every_entry_becomes_a_post_or_is_reported(pulled):
    site, summary, feeds = pulled
    for path, url in feeds.items():
        raw, _ = offered(path, url)
        outcomes = summary.outcomes.get(url, {})
        refused = [m for _, u, m in summary.problems if u == url and m.startswith("entry skipped")]
        assert sum(outcomes.values()) + len(refused) == len(raw), (path.name, dict(outcomes), refused)
        # First pull, one feed per expert: a post, a merge the summary names with both
        # titles, or a status that only replies or reposts (EMINENCE_PULL_REPLIES is off).
        asides = {ASIDE.format(a) for a in ("reply", "repost")}
        assert set(outcomes) <= {"new", "merged"} | asides, (path.name, outcomes)
        _, parsed = offered(path, url)
        left_out = sum(outcomes.get(a, 0) for a in asides)
        assert left_out == sum(1 for e in parsed.entries if e.voice.aside), path.name
        merges = [m for m in summary.merged if m[1] == url]
        assert len(merges) == outcomes.get("merged", 0), path.name
        assert all(kept and merged for _, _, kept, merged, _, _ in merges), merges


def test_distinct_ids_are_distinct_posts(pulled):
    site, summary, feeds = pulled
    for path, url in feeds.items():
        _, parsed = offered(path, url)
        ids = {e.id for e in parsed.entries if e.id}
        # Within a feed ids are authoritative; the corpus holds some blogs twice (Atom and
        # JSON Feed), whose shared posts are merged across the two feeds.
        elsewhere = sum(1 for m in summary.merged if m[1] == url and m[5] != url)
        outcomes = summary.outcomes.get(url, {})
        left_out = sum(n for outcome, n in outcomes.items() if outcome.startswith("a re"))
        assert outcomes.get("new", 0) + elsewhere + left_out >= len(ids), path.name
    microblog = next(p for p in feeds if p.name == "custom_scriptingnews_rss.xml")
    assert summary.outcomes[feeds[microblog]]["new"] >= 45  # 50 statuses on a few day pages


def test_every_entry_with_words_gives_a_post_with_words(pulled):
    site, _, feeds = pulled
    wordless = []
    for path, entry, mine, post in written(site, feeds):
        if words(feed_text(entry)) >= 5 and words(prose(post)) < 5:
            wordless.append((path.name, mine.title))
    assert wordless == []


def test_posts_link_to_the_publisher_not_a_redirector(pulled):
    site, _, feeds = pulled
    for path, entry, _, post in written(site, feeds):
        original = header(post).get("Original", "")
        assert not REDIRECTORS.search(original), (path.name, original)
        if entry.get("feedburner_origlink"):
            assert original == entry["feedburner_origlink"].strip(), (path.name, original)


def test_json_feeds_are_pulled_like_rss_and_atom(pulled):
    _, summary, feeds = pulled
    json_feeds = [p for p in feeds if p.suffix == ".json"]
    assert len(json_feeds) == 5
    for path in json_feeds:
        raw, _ = offered(path, feeds[path])
        assert len(raw) > 0 and summary.outcomes[feeds[path]]["new"] > 0, path.name
        assert not [m for _, u, m in summary.problems if u == feeds[path]], path.name


def test_titles_are_one_line_of_plain_text(pulled):
    site, _, feeds = pulled
    for path in feeds:
        for post in sorted((site.content / "posts" / slug(path)).glob("*.md")):
            title = header(post)["Title"]
            assert not re.search(r"<[a-z/!]", title, re.I) and not ENTITY.search(title), (path.name, title)


def test_leading_whitespace_or_a_bom_before_the_xml_declaration_is_tolerated(pulled):
    _, summary, _ = pulled
    assert not [(u, m) for _, u, m in summary.problems if "declaration" in m.lower()]


def test_episodes_keep_their_audio_and_videos_their_watch_link(pulled):
    site, _, feeds = pulled
    for path, entry, _, post in written(site, feeds):
        audio = [e for e in entry.get("enclosures") or [] if (e.get("type") or "").startswith("audio/")]
        if not (audio or entry.get("yt_videoid")):
            continue
        meta = header(post)
        if audio:
            href = (entry.get("feedburner_origenclosurelink") or audio[0]["href"]).strip()
            assert meta["Kind"] == "episode" and href.split("?")[0] in meta["Media"], path.name
        else:
            assert meta["Kind"] == "video" and "youtube.com/watch?v=" in meta["Media"], path.name


# What each platform's voices are, as the pull must classify them (kinds.py).
PLATFORM_KINDS = {
    "podcast_": {"episode"}, "youtube_channel_": {"video"}, "mastodon_": {"note"},
    "wordpress_selfhosted_manton": {"note", "article"},  # micro.blog's founder: titled posts and statuses
    "corporate_": {"article"}, "medium_": {"article"}, "substack_": {"article"}, "ghost_": {"article"},
    "jekyll_": {"article"}, "hugo_": {"article"}, "very_large_yakubin": {"article"},
}


def test_each_platform_voice_is_classified_as_what_it_is():
    corpus = shared_corpus("realworld")
    seen = set()
    for path in files():
        expected = next((kinds for prefix, kinds in PLATFORM_KINDS.items()
                         if path.name.startswith(prefix)), None)
        if expected is None:
            continue
        seen.add(path.name)
        parsed = parse_feed(path.read_bytes(), f"https://feeds.example.org/{path.name}", content_type(path))
        kinds = {e.voice.kind for e in parsed.entries}
        assert kinds and kinds <= expected, (path.relative_to(corpus), kinds)
    assert len(seen) >= 20
    # A status of the microblog that has no title is a note, titled by its first words.
    manton = parse_feed((corpus / "blogs" / "wordpress_selfhosted_manton_rss2.xml").read_bytes(),
                        "https://manton.example/feed", "application/rss+xml")
    notes = [e for e in manton.entries if e.voice.kind == "note"]
    assert notes and all(e.title.endswith(" …") and len(e.title.split()) <= 11 for e in notes)
    # Nitter marks replies ("R to @...") and reposts ("RT by @..."): left out by default.
    nitter = parse_feed((corpus / "watch" / "nitter_user_lawnchair_rss.xml").read_bytes(),
                        "https://nitter.example/rss", "application/rss+xml")
    asides = [(e.voice.aside, e.title) for e in nitter.entries if e.voice.aside]
    assert {a for a, _ in asides} == {"reply", "repost"} and len(asides) == 8
    assert not [t for _, t in asides if t.startswith(("R to", "RT by"))]  # the marker is not the title


def test_watch_entries_cite_the_publisher_and_name_the_account():
    """Endorsement candidates' Source and Endorser on the real watch feeds (every entry,
    candidate or not: the pull decides both before it looks for the brand)."""
    folder = shared_corpus("realworld") / "watch"
    for path in sorted(folder.glob("*.xml")):
        watched = parse_watch(path.read_bytes(), f"https://watch.example.org/{path.name}",
                              "application/xml", ["Kubernetes"], {}, {})
        assert watched.entries, path.name
        for m in watched.entries:
            assert not REDIRECTORS.search(m.source or ""), (path.name, m.source)
            if "news.google.com" in (m.source or ""):
                assert m.source_note, (path.name, m.source)  # kept, and flagged for the editor
            if path.name.startswith("mastodon_"):
                host = re.match(r"https?://([^/]+)/", m.source).group(1)
                assert re.fullmatch(rf"@[\w.-]+@{re.escape(host)}", m.author or ""), (path.name, m.author)
    alerts = parse_watch((folder / "google_alerts_slack_atom.xml").read_bytes(), "https://w.example/a",
                         "application/xml", ["Slack"], {}, {})
    assert all(m.source and "google.com" not in m.source for m in alerts.entries)


def test_teasers_are_dropped_and_cited_links_carry_no_tracking(pulled):
    """Medium's "Continue reading on »" is not the author's last line, and its ?source=rss-…
    is not part of the post's address; the words before the teaser stay."""
    site, _, feeds = pulled
    seen = 0
    for path, entry, _, post in written(site, feeds):
        body = post.read_text(encoding="utf-8").split("\n\n", 1)[1]
        assert not re.search(r"continue reading on|appeared first on", body, re.I), (path.name, body[-200:])
        original = header(post).get("Original", "")
        assert not re.search(r"[?&](?:utm_\w+|source=rss)", original), (path.name, original)
        if path.name.startswith("medium_user"):
            seen += 1
            before = re.sub(r"continue reading on\W*(?:medium\W*)?$", "", feed_text(entry).strip(),
                            flags=re.I)
            if words(before) >= 3:  # the words before the teaser stay
                assert words(prose(post)) >= 3, (path.name, body)
    assert seen >= 5


def test_a_notes_title_never_carries_a_broken_url(pulled):
    """Mastodon hides a link's "https://" and cuts its path in spans: as plain text that
    reads "https:// host/pa th". A note's title names the link's host instead."""
    site, _, feeds = pulled
    notes = 0
    for path, _, mine, post in written(site, feeds):
        if mine.voice.kind == "note":
            notes += 1
            title = header(post)["Title"]
            assert not re.search(r"\w+://|www\.\S", title), (path.name, title)
    assert notes >= 20
