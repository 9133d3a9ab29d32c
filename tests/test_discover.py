"""Finding an expert's feed from a home page or profile URL (eminence_pull/discover.py),
against pages and feeds served on 127.0.0.1, and `invoke add-feed` / `new-expert` with it."""

from __future__ import annotations

import pytest

from eminence_pull.discover import NoFeed, alternates, find_feed, platform_feed
from eminence_pull.settings import new_fetcher
from feedserver import Response, atom, one_entry
from helpers import invoke

HTML = "text/html; charset=utf-8"


@pytest.mark.parametrize(("url", "feed", "platform"), [
    ("https://social.example.net/@ines", "https://social.example.net/@ines.rss", "Mastodon"),
    ("https://social.example.net/@ines/", "https://social.example.net/@ines.rss", "Mastodon"),
    ("https://bsky.app/profile/ines.example.com", "https://bsky.app/profile/ines.example.com/rss", "Bluesky"),
    ("https://medium.com/@ines", "https://medium.com/feed/@ines", "Medium"),
    ("https://ines.medium.com/", "https://ines.medium.com/feed", "Medium"),
    ("https://ines.substack.com/p/some-post", "https://ines.substack.com/feed", "Substack"),
    ("https://dev.to/ines", "https://dev.to/feed/ines", "dev.to"),
    ("https://www.youtube.com/channel/UC7_gcs09iThXybpVgjHZ_7g",
     "https://www.youtube.com/feeds/videos.xml?channel_id=UC7_gcs09iThXybpVgjHZ_7g", "YouTube"),
])
def test_each_platform_pattern_gives_its_feed_address(url, feed, platform):
    assert platform_feed(url) == (feed, platform)


@pytest.mark.parametrize("url", ["https://ines.example.com/", "https://www.youtube.com/@ines",
                                 "https://social.example.net/@ines.rss", "https://dev.to/"])
def test_other_urls_have_no_pattern(url):
    assert platform_feed(url) is None  # the page itself is fetched and read


PAGE = """<!doctype html><html><head><title>Ines</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" hreflang="de" href="/de/">
<link rel="alternate" type="application/rss+xml" title="Posts" href="/broken.xml">
<link rel="alternate" type="application/atom+xml" title="Posts (Atom)" href="atom.xml">
<link rel="alternate" type="application/feed+json" href="https://ines.example.com/feed.json">
<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
</head><body><p>Hello.</p></body></html>"""


def test_alternates_are_the_page_feeds_absolute_in_order():
    assert alternates(PAGE.encode(), "https://ines.example.com/blog/") == [
        "https://ines.example.com/broken.xml", "https://ines.example.com/blog/atom.xml",
        "https://ines.example.com/feed.json"]


@pytest.fixture
def fetch(tmp_path):
    with new_fetcher({"PATH": str(tmp_path)}, "discovery test") as fetcher:
        yield lambda url: fetcher.submit(url).result()


def test_a_page_with_several_feeds_gives_the_first_that_parses(feeds, fetch):
    page = feeds.add("/blog/", Response(PAGE.replace('href="https://ines.example.com/feed.json"',
                                                     'href="/feed.json"'), content_type=HTML))
    feeds.add("/broken.xml", Response("<html>not a feed</html>", content_type=HTML))
    feeds.add("/blog/atom.xml", Response(atom([one_entry(1)])))
    found = find_feed(page, fetch)
    assert found.feed == feeds.url("/blog/atom.xml") and found.how == f"linked from {page}"
    assert found.others == [feeds.url("/broken.xml"), feeds.url("/feed.json")]


def test_a_mastodon_profile_gives_its_rss(feeds, fetch):
    feed = feeds.add("/@ines.rss", Response(atom([one_entry(1, title="")])))
    found = find_feed(feeds.url("/@ines"), fetch)
    assert found.feed == feed and found.how.startswith("Mastodon's feed address")


def test_a_feed_url_is_taken_as_it_is(feeds, fetch):
    feed = feeds.add("/feed.xml", Response(atom([one_entry(1)])))
    assert find_feed(feed, fetch).feed == feed


def test_a_page_without_feeds_says_so_and_what_to_do(feeds, fetch):
    page = feeds.add("/about/", Response("<!doctype html><title>About</title><p>Hi</p>", content_type=HTML))
    with pytest.raises(NoFeed) as error:
        find_feed(page, fetch)
    assert str(error.value) == (f"{page}: the page links no RSS, Atom or JSON feed "
                                '(no <link rel="alternate">). Fix: find the feed\'s URL on the site '
                                "(often /feed, /rss or /atom.xml) and give that.")


def test_a_platform_without_feeds_is_named_without_a_request():
    def refuse(url):
        raise AssertionError(f"no request may be made: {url}")

    with pytest.raises(NoFeed, match=r"LinkedIn offers no feed of a person's posts\. Fix: ask the expert"):
        find_feed("https://www.linkedin.com/in/ines-okafor/", refuse)


def test_invoke_add_feed_finds_the_feed_and_adds_it(project, feeds):
    page = feeds.add("/ines/", Response(
        '<html><head><link rel="alternate" type="application/atom+xml" href="/ines/feed.atom"></head></html>',
        content_type=HTML))
    feed = feeds.add("/ines/feed.atom", Response(atom([one_entry(1, content="<p>forecasting</p>")])))
    path = project / "content/experts/ines-okafor.md"
    before = path.read_text()
    run = invoke(project, "add-feed", "ines-okafor", page)
    assert run.returncode == 0, run.stderr
    assert f"{page}: found {feed} (linked from {page}); {feed}: a valid feed; 1 entry" in run.stdout
    assert path.read_text() == before.replace("Feeds: https://ines.example.com/feed.xml",
                                              f"Feeds: https://ines.example.com/feed.xml, {feed}")
    again = invoke(project, "add-feed", "ines-okafor", feed)
    assert again.returncode == 1 and f"already lists {feed}; nothing was changed" in again.stderr
    unknown = invoke(project, "add-feed", "nobody", feed)
    assert unknown.returncode == 1 and "no expert 'nobody'" in unknown.stderr
    assert "ines-okafor" in unknown.stderr  # the experts there are
    plain = feeds.add("/plain/", Response("<p>hi</p>", content_type=HTML))
    none = invoke(project, "add-feed", "ines-okafor", plain)
    assert none.returncode == 1 and "links no RSS, Atom or JSON feed" in none.stderr
    assert "Traceback" not in none.stderr and path.read_text().count(feed) == 1


def test_invoke_new_expert_takes_a_profile_url(project, feeds):
    feed = feeds.add("/@ada.rss", Response(atom([one_entry(1, title="", content="<p>A short status.</p>")])))
    run = invoke(project, "new-expert", "Ada Profile", "--topics", "applied-ai", "--feed", feeds.url("/@ada"))
    assert run.returncode == 0, run.stderr
    assert f"Feeds: {feed}\n" in (project / "content/experts/ada-profile.md").read_text()


def test_a_comma_in_a_linked_feed_never_makes_two_feeds(project, feeds):
    """Feeds: is a comma-separated list: a discovered href with commas must stay one URL."""
    query = "?a=1%2Chttps://injected.example/feed.xml%2Chttp://10.0.0.5/x.rss"
    feed = feeds.add(f"/feed.rss{query}", Response(atom([one_entry(1)])))  # one URL, one query
    href = "/feed.rss?a=1,https://injected.example/feed.xml,http://10.0.0.5/x.rss"
    page = feeds.add("/ada/", Response(f'<link rel="alternate" type="application/rss+xml" href="{href}">',
                                       content_type=HTML))
    run = invoke(project, "add-feed", "ines-okafor", page)
    assert run.returncode == 0, run.stderr
    line = next(ln for ln in (project / "content/experts/ines-okafor.md").read_text().splitlines()
                if ln.startswith("Feeds: "))
    assert line == f"Feeds: https://ines.example.com/feed.xml, {feed}"


def test_a_page_linking_thousands_of_feeds_costs_a_few_requests(feeds, fetch):
    links = "".join(f'<link rel="alternate" type="application/atom+xml" href="/f{n}.xml">'
                    for n in range(5000))
    page = feeds.add("/many/", Response(f"<html><head>{links}</head></html>", content_type=HTML))
    with pytest.raises(NoFeed) as error:
        find_feed(page, fetch)
    assert "the page links 5000 feed(s) (the first 8 were tried), none usable" in str(error.value)
    assert sum(feeds.hits.values()) <= 1 + 8


def test_alternates_refused_as_private_are_said_to_be_refused(feeds, fetch, no_leaving):
    page = feeds.add("/intra/", Response('<link rel="alternate" type="application/rss+xml" '
                                         'href="http://10.0.0.5/feed.xml">', content_type=HTML))
    with pytest.raises(NoFeed) as error:
        find_feed(page, fetch)
    assert "http://10.0.0.5/feed.xml: refused, not a public address" in str(error.value)
    assert "EMINENCE_PULL_ALLOW_ADDRESSES" in str(error.value) and "try again later" not in str(error.value)


@pytest.mark.parametrize("given", ["/etc/passwd", "feeds/x.xml", "file:///etc/passwd", "ftp://x.example/f"])
def test_a_path_or_another_scheme_is_told_to_give_an_http_address(fetch, given):
    with pytest.raises(NoFeed) as error:
        find_feed(given, fetch)
    assert str(error.value).endswith("Fix: give the feed's http(s) address, as a browser opens it.")
    assert "EMINENCE_ALLOW_LOCAL_FEEDS" not in str(error.value)
