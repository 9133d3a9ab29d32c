"""What real platforms' feeds do, in small self-written feeds: one test per defect class
found on the real corpus (test_pull_realworld.py runs the real files)."""

from __future__ import annotations

import json

import feedparser
import pytest
from bs4 import BeautifulSoup

from eminence_pull.links import OPAQUE_NEWS_LINK, publisher_url
from feedserver import Response, atom, one_entry

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0"
     xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd"><channel>
<title>Test</title><link>https://blog.example.com/</link><description>d</description>
{items}
</channel></rss>"""


def rss(*items: str) -> str:
    return RSS.format(items="\n".join(f"<item>{i}</item>" for i in items))


def body(text: str) -> str:
    return text.split("\n\n", 1)[1]


def test_statuses_with_distinct_ids_on_one_day_page_are_distinct_posts(site, feeds):
    day = "https://micro.example.com/2026/05/01.html"
    statuses = [one_entry(n, link=f"{day}#a{n}", title=f"Status {n} about machine learning")
                for n in (1, 2, 3)]
    site.set_expert("cy", [feeds.add("/micro.xml", Response(atom(statuses)))])
    summary = site.pull()
    assert summary.new == 3 and len(site.posts()) == 3 and summary.merged == []


def test_one_feed_listed_for_two_experts_is_pulled_once(site, feeds):
    url = feeds.add("/team.xml", Response(atom([one_entry(1)])))
    site.set_expert("ada", [url], trusted=True)
    site.pull()
    site.set_expert("cy", [url])  # later, a second expert lists the same team feed
    summary = site.pull(expert="cy", force=True)
    assert summary.new == 0 and site.posts("cy") == {}
    assert summary.outcomes[url] == {"another expert's post": 1}


def test_entries_without_ids_and_one_permalink_merge_and_say_so(site, feeds):
    same = "https://blog.example.com/the-post"
    entries = [one_entry(1, id=None, link=same, title="First wording"),
               one_entry(2, id=None, link=same + "?utm_source=feed", title="Second wording")]
    url = feeds.add("/noid.xml", Response(atom(entries)))
    site.set_expert("cy", [url])
    summary = site.pull()
    assert summary.new == 1 and summary.outcomes[url] == {"new": 1, "merged": 1}
    (_, feed, kept, merged, why, kept_feed), = summary.merged
    assert feed == kept_feed == url and why == "same permalink"
    assert {kept, merged} == {"First wording", "Second wording"}
    assert any("merged into one post" in line for line in summary.lines())


def test_empty_content_falls_back_to_the_description(site, feeds):
    notes = "Show notes: we talk about forecasting grid load with machine learning models."
    item = ("<title>Episode 7</title><link>https://pod.example.com/7</link><guid>ep7</guid>"
            f"<description>&lt;p&gt;{notes}&lt;/p&gt;</description><content:encoded></content:encoded>")
    site.set_expert("cy", [feeds.add("/pod.xml", Response(rss(item), content_type="application/rss+xml"))])
    site.pull()
    assert notes in body(site.posts()["episode-7.md"])


def test_the_excerpt_skips_leading_images_and_cuts_a_long_paragraph():
    from eminence_pull.parse import parse_feed

    long = " ".join(f"word{n}" for n in range(200))
    html = ('<figure><img src="/a.png" alt="Hero"></figure><p><img src="/b.png"></p>'
            f"<p>{long}</p><p>Second paragraph.</p>")
    entry = one_entry(1, content=html)
    post = parse_feed(atom([entry]).encode(), "https://blog.example.com/feed", None, "excerpt", 80).entries[0]
    assert post.body == " ".join(f"word{n}" for n in range(80)) + " …"


def test_a_short_lead_in_takes_the_quote_after_it():
    from eminence_pull.convert import excerpt

    quote = "> " + " ".join(f"w{n}" for n in range(120))
    cut = "> " + " ".join(f"w{n}" for n in range(77)) + " …"  # 78 tokens with the ">"
    assert excerpt(["Ada Lovelace:", quote], 80) == ["Ada Lovelace:", cut]
    # The lead-in and its text in one paragraph, a hard break between (a Blogger synopsis).
    lines = "Synopsis:  \n" + " ".join(f"w{n}" for n in range(120))
    assert excerpt([lines], 80) == ["Synopsis:  \n" + " ".join(f"w{n}" for n in range(79)) + " …"]
    # A long code block (a commit message) keeps its first whole lines: 7 words each.
    code = "\n".join(f"    line {n} of a long commit message" for n in range(40))
    assert excerpt([code], 20) == [code.split("\n")[0] + "\n" + code.split("\n")[1] + "\n    …"]


def test_feedburner_entries_link_to_the_original_article_and_audio(site, feeds):
    item = ("<title>Episode 8</title><guid>ep8</guid>"
            "<link>http://feedproxy.google.com/~r/show/~3/abc/ep8</link>"
            "<feedburner:origLink>https://show.example.com/ep8</feedburner:origLink>"
            "<description>Machine learning for grid operators, a long conversation.</description>"
            '<enclosure url="http://feedproxy.google.com/~r/show/~5/xyz/ep8.mp3" type="audio/mpeg" '
            'length="1"/><feedburner:origEnclosureLink>https://cdn.show.example.com/ep8.mp3'
            "</feedburner:origEnclosureLink>"
            "<itunes:duration>3725</itunes:duration>")
    site.set_expert("cy", [feeds.add("/fb.xml", Response(rss(item), content_type="application/rss+xml"))],
                    trusted=True)  # published, so the public build writes its page
    site.pull()
    meta = site.meta("cy", "episode-8.md")
    assert meta["Original"] == "https://show.example.com/ep8"
    assert (meta["Kind"], meta["Media"], meta["Duration"]) == (
        "episode", "https://cdn.show.example.com/ep8.mp3", "1:02:05")
    assert "feedproxy" not in site.posts()["episode-8.md"]
    html = (site.build() / "posts" / "cy" / "episode-8" / "index.html").read_text()
    assert '<link rel="canonical" href="https://show.example.com/ep8"' in html
    listen = BeautifulSoup(html, "html.parser").select_one(".media .media-link")
    assert listen["href"] == "https://cdn.show.example.com/ep8.mp3"
    assert listen.get_text(" ", strip=True).startswith("Listen to the episode")
    # The running time is said once, beside the date.
    assert BeautifulSoup(html, "html.parser").select_one(".byline .duration").get_text() == (
        "running time 1:02:05")
    assert "<audio" not in html and "<iframe" not in html  # a link: no third-party request


@pytest.mark.parametrize(("link", "expected"), [
    ("https://www.google.com/url?rct=j&sa=t&url=https://news.example.com/a/b%3Fx%3D1&ct=ga&usg=Q",
     "https://news.example.com/a/b?x=1"),
    ("http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&url=https%3a%2f%2fpaper.example.com%2fstory"
     "&c=1&mkt=en-us", "https://paper.example.com/story"),
    # An older Google News id carries the article's URL (base64url of a small protobuf).
    ("https://news.google.com/rss/articles/CBMiG2h0dHBzOi8vcGFwZXIuZXhhbXBsZS5jb20veNIBAA?oc=5",
     "https://paper.example.com/x"),
    ("https://blog.example.com/post", "https://blog.example.com/post"),
])
def test_redirect_links_are_unwrapped_to_the_publisher(link, expected):
    assert publisher_url({}, link) == (expected, None)


def test_an_opaque_google_news_link_is_kept_and_flagged():
    link = "https://news.google.com/rss/articles/AU_yqLOpaqueToken?oc=5"
    assert publisher_url({}, link) == (link, OPAQUE_NEWS_LINK)


BRAND = "Acme Widgets"
PRAISE = "<p>We chose Acme Widgets for our substations and they kept working all winter long.</p>"


def candidate(site, feeds, feed: str, content_type: str = "application/atom+xml") -> dict[str, str]:
    site.set_watch("ai", [feeds.add("/watch", Response(feed, content_type=content_type))])
    summary = site.pull(EMINENCE_BRAND_TERMS=[BRAND])
    assert summary.watch.new == 1, summary.lines()
    path, = (site.content / "endorsements").glob("*-*.md")
    head = path.read_text(encoding="utf-8").split("\n\n", 1)[0]
    return dict(line.split(": ", 1) for line in head.splitlines())


def test_a_google_alerts_candidate_cites_the_article(site, feeds):
    link = ("https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://paper.example.com/acme-review"
            "&amp;ct=ga&amp;usg=AFQ")
    meta = candidate(site, feeds, atom([one_entry(1, link=link, content=PRAISE,
                                                  author={"name": "Dana Reporter"})]))
    assert meta["Source"] == "https://paper.example.com/acme-review" and "Source-Note" not in meta


def test_an_opaque_google_news_candidate_is_flagged_for_the_editor(site, feeds):
    from helpers import check

    link = "https://news.google.com/rss/articles/AU_yqLOpaqueToken?oc=5"
    meta = candidate(site, feeds, atom([one_entry(1, link=link, content=PRAISE,
                                                  author={"name": "Dana Reporter"})]))
    assert meta["Source"] == link and meta["Source-Note"] == OPAQUE_NEWS_LINK
    check(site.content)  # the field is part of the content model


def test_a_status_without_an_author_is_credited_to_its_account(site, feeds):
    status = one_entry(1, title="", link="https://social.example.net/@dana/11223344", content=PRAISE)
    meta = candidate(site, feeds, atom([status]))
    assert meta["Endorser"] == "@dana@social.example.net"
    assert meta["Endorser-URL"] == "https://social.example.net/@dana"


JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1", "title": "Notes",
    "home_page_url": "https://notes.example.com/",
    "authors": [{"name": "Cy Example"}],
    "items": [
        {"id": "1", "url": "https://notes.example.com/1", "title": "Machine learning at the edge",
         "content_html": "<p>Forecasting load <b>on the device</b>, not in the cloud.</p>",
         "date_published": "2026-05-01T10:00:00+02:00", "tags": ["ml"]},
        {"id": "2", "url": "https://notes.example.com/2", "content_text": "A note: <b> stays text.",
         "date_published": "2026-05-02T09:00:00Z",
         "attachments": [{"url": "https://cdn.example.com/2.mp3", "mime_type": "audio/mpeg",
                          "duration_in_seconds": 95}]},
    ],
}


@pytest.mark.parametrize(("content_type", "version"), [
    ("application/feed+json", "https://jsonfeed.org/version/1.1"),
    ("application/json", "https://jsonfeed.org/version/1"),
    ("text/plain", "https://jsonfeed.org/version/1"),  # a mislabelled feed is sniffed
])
def test_json_feed_is_pulled_like_rss_and_atom(site, feeds, content_type, version):
    doc = {**JSON_FEED, "version": version}
    site.set_expert("cy", [feeds.add("/feed.json", Response(json.dumps(doc), content_type=content_type))])
    summary = site.pull()
    assert summary.new == 2 and summary.problems == []
    first = site.meta("cy", "machine-learning-at-the-edge.md")
    assert first["Date"] == "2026-05-01T08:00:00+00:00" and first["Original"] == "https://notes.example.com/1"
    assert "**on the device**" in site.posts()["machine-learning-at-the-edge.md"]
    note, = (name for name in site.posts() if name != "machine-learning-at-the-edge.md")
    text = site.posts()[note]
    assert "A note: &lt;b&gt; stays text." in text
    meta = site.meta("cy", note)
    assert (meta["Kind"], meta["Media"], meta["Duration"]) == (
        "episode", "https://cdn.example.com/2.mp3", "1:35")


def test_a_youtube_entry_keeps_its_watch_link(site, feeds):
    feed = atom([one_entry(1, link="https://www.youtube.com/watch?v=abc123XYZ",
                           content="Machine learning for grid operators, the talk.")],
                extra="").replace("<feed ", '<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" ')
    feed = feed.replace("<entry>", "<entry><yt:videoId>abc123XYZ</yt:videoId>")
    site.set_expert("cy", [feeds.add("/yt.xml", Response(feed))])
    site.pull()
    meta = site.meta("cy", "post-number-1.md")
    assert meta["Original"] == meta["Media"] == "https://www.youtube.com/watch?v=abc123XYZ"
    assert meta["Kind"] == "video"


@pytest.mark.parametrize(("raw", "expected"), [
    ("Grid &amp;amp;#8211; a history", "Grid – a history"),  # escaped twice by its CMS
    ("Tips &amp;amp;amp; tricks", "Tips & tricks"),
    ("&lt;b&gt;Bold&lt;/b&gt; claims", "Bold claims"),
    ("Line one\nline two", "Line one line two"),
])
def test_titles_are_one_line_of_plain_text(site, feeds, raw, expected):
    entry = one_entry(1, title=raw)
    site.set_expert("cy", [feeds.add("/t.xml", Response(atom([entry])))])
    site.pull()
    (name, text), = site.posts().items()
    assert site.meta("cy", name)["Title"] == expected


@pytest.mark.parametrize("lead", [b"\n\n", b"\xef\xbb\xbf", b" \xef\xbb\xbf\r\n"])
def test_whitespace_or_a_bom_before_the_xml_declaration_is_tolerated(site, feeds, lead):
    url = feeds.add("/lead.xml", Response(lead + atom([one_entry(1)]).encode()))
    site.set_expert("cy", [url])
    summary = site.pull()
    assert summary.new == 1 and summary.problems == []


STATUSES = [
    "<guid>https://social.example.net/@cy/1</guid><link>https://social.example.net/@cy/1</link>"
    "<pubDate>Fri, 01 May 2026 10:00:00 +0000</pubDate>"
    "<description>&lt;p&gt;Machine learning at the edge: forecasts on the device.&lt;/p&gt;</description>",
    "<guid>https://social.example.net/@cy/2</guid><link>https://social.example.net/@cy/2</link>"
    "<pubDate>Fri, 01 May 2026 11:00:00 +0000</pubDate>"
    '<description>&lt;p&gt;&lt;a href="https://social.example.net/@ada"&gt;@ada&lt;/a&gt; yes, the '
    "machine learning team agrees.&lt;/p&gt;</description>",
    "<guid>https://social.example.net/@cy/3</guid><link>https://social.example.net/@cy/3</link>"
    "<pubDate>Fri, 01 May 2026 12:00:00 +0000</pubDate>"
    "<description>RT @ada: our machine learning paper is out</description>",
]


def test_replies_and_reposts_are_left_out_unless_asked_for(site, feeds):
    feed = feeds.add("/cy.rss", Response(rss(*STATUSES), content_type="application/rss+xml"))
    site.set_expert("cy", [feed], trusted=True)
    summary = site.pull()
    url = feeds.url("/cy.rss")
    assert summary.new == 1 and dict(summary.outcomes[url]) == {
        "new": 1, "a reply (EMINENCE_PULL_REPLIES is off)": 1, "a repost (EMINENCE_PULL_REPLIES is off)": 1}
    (name, text), = site.posts().items()
    meta = site.meta("cy", name)
    assert meta["Kind"] == "note"
    assert meta["Title"] == "Machine learning at the edge: forecasts on the device. …"
    assert body(text) == "Machine learning at the edge: forecasts on the device.\n"
    html = (site.build() / "posts" / "cy" / name[:-3] / "index.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1["class"] == ["visually-hidden"]  # no invented headline
    assert soup.select_one(".note-text").get_text(strip=True).startswith("Machine learning at the edge")
    # Asked for, the reply and the repost come too, as notes: the feed has not changed,
    # but the setting that left them out has, so the next pull reads it again (no --force).
    summary = site.pull(EMINENCE_PULL_REPLIES=True)
    assert summary.new == 2 and {site.meta("cy", n)["Kind"] for n in site.posts()} == {"note"}


def test_a_note_that_is_mostly_a_link_is_titled_with_its_host(site, feeds):
    status = ("<guid>https://social.example.net/@cy/9</guid><link>https://social.example.net/@cy/9</link>"
              "<pubDate>Fri, 01 May 2026 10:00:00 +0000</pubDate>"
              '<description>&lt;p&gt;Behooves &lt;a href="https://chris.example.com/2022/12/14/behooves/"&gt;'
              '&lt;span class="invisible"&gt;https://&lt;/span&gt;&lt;span class="ellipsis"&gt;'
              "chris.example.com/2022/12/14/beh&lt;/span&gt;&lt;span class=\"invisible\"&gt;"
              "ooves/&lt;/span&gt;&lt;/a&gt;&lt;/p&gt;</description>")
    site.set_expert("cy", [feeds.add("/cy.rss", Response(rss(status), content_type="application/rss+xml"))])
    site.pull()
    (name,) = site.posts()
    assert site.meta("cy", name)["Title"] == "Behooves chris.example.com …"
    assert name == "behooves-chrisexamplecom.md"


@pytest.mark.parametrize(("raw", "clock"), [
    ("3725", "1:02:05"), ("95", "1:35"), ("00:52:14", "52:14"), ("1:02:03", "1:02:03"), ("42:10", "42:10"),
    ("", None), ("about an hour", None), ("1:75", None), ("3600000", None), ("1000:00:00", None),
    ("1000000000000000", None), ("999:59:59", "999:59:59"),
])
def test_running_times_become_the_duration_field(raw, clock):
    from eminence_model.validate import DURATION
    from eminence_pull.kinds import clock as to_clock

    assert to_clock(raw) == clock
    assert clock is None or DURATION.fullmatch(clock)  # what the pull writes validates


def test_an_episodes_file_size_reaches_our_feeds_and_a_placeholder_size_does_not(site, feeds):
    """Podcast apps read an enclosure's length from the feeds Eminence writes: the
    source's size is kept (Media-Length); 0 or 1, what feeds write when they do not
    know, is not a size, and our feed says 0 (unknown) for it."""
    items = [f"<title>Episode {n}</title><guid>ep{n}</guid><link>https://show.example.com/ep{n}</link>"
             f"<description>A conversation about grids, part {n}.</description>"
             f'<enclosure url="https://cdn.show.example.com/ep{n}.mp3" type="audio/mpeg" length="{length}"/>'
             f"<pubDate>Mon, 0{n} Mar 2026 10:00:00 GMT</pubDate>" for n, length in ((1, 48211456), (2, 1))]
    url = feeds.add("/sizes.xml", Response(rss(*items), content_type="application/rss+xml"))
    site.set_expert("cy", [url], trusted=True)
    site.pull()
    assert site.meta("cy", "episode-1.md")["Media-Length"] == "48211456"
    assert "Media-Length" not in site.meta("cy", "episode-2.md")
    feed = feedparser.parse((site.build() / "feeds" / "experts" / "cy.atom.xml").read_bytes())
    sizes = {e.title: e.enclosures[0]["length"] for e in feed.entries}
    assert sizes == {"Episode 1": "48211456", "Episode 2": "0"}


def test_a_running_time_the_model_would_refuse_is_left_out_and_said(site, feeds):
    """An itunes:duration of 3,600,000 seconds would be written as 1000:00:00, which
    validation refuses: the build would stop until someone edited the file."""
    item = ("<title>Episode 9</title><guid>ep9</guid><link>https://show.example.com/ep9</link>"
            "<description>A conversation about grids.</description>"
            '<enclosure url="https://cdn.show.example.com/ep9.mp3" type="audio/mpeg" length="1"/>'
            "<itunes:duration>3600000</itunes:duration>")
    site.set_expert("cy", [feeds.add("/ep.xml", Response(rss(item), content_type="application/rss+xml"))],
                    trusted=True)
    summary = site.pull()
    meta = site.meta("cy", "episode-9.md")
    assert meta["Kind"] == "episode" and "Duration" not in meta
    assert any("Duration '3600000' left out: not a running time under 1,000 hours" in m
               for _, _, m in summary.problems), summary.problems
    site.build()  # validates: nothing the pull wrote is refused
