"""The corporate stream (Atom per site, topic and expert; OPML), sitemap and robots.txt,
and that a build is byte-for-byte reproducible."""

from __future__ import annotations

import filecmp
import re
import xml.etree.ElementTree as ET

import feedparser
from bs4 import BeautifulSoup

from helpers import EXAMPLE, build, page

SITE = "https://showcase.example.com"


def parse(path):
    feed = feedparser.parse(path.read_bytes())
    assert not feed.bozo, (path, feed.get("bozo_exception"))
    return feed


def test_feeds_carry_every_kind(published):
    grid = parse(published / "feeds/topics/grid-reliability.atom.xml")
    episode = next(e for e in grid.entries if e.title.startswith("Ep. 12"))
    assert episode.enclosures == [{"href": "https://media.gridside.example.com/episodes/gridside-12.mp3",
                                   "length": "48211456", "type": "audio/mpeg"}]  # the source's size
    assert 'Listen to the episode (52:14)</a>' in episode.content[0].value
    amara = parse(published / "feeds/experts/amara-nwosu.atom.xml")
    assert [e.title for e in amara.entries] == [  # a note's title is its first words
        "Our platform team deleted 40% of its Kubernetes YAML this …",
        "Supply chain security tip of the week: pin your CI …"]
    assert amara.entries[0].link == "https://social.example.net/@amara/113500000000000003"
    talks = parse(published / "feeds/experts/lena-fischer.atom.xml")
    assert all("Watch the video (" in e.content[0].value and not e.get("enclosures") for e in talks.entries)


def test_every_feed_is_valid_atom_with_absolute_urls(published):
    feeds = sorted((published / "feeds").rglob("*.atom.xml"))
    assert len(feeds) == 1 + 5 + 12  # site, topics, experts
    for path in feeds:
        feed = parse(path)
        assert feed.version == "atom10"
        for entry in feed.entries:
            # A post's id is its page; a quote (no page of its own) has a tag: URI.
            own = entry.id.startswith(SITE) or entry.id.startswith("tag:showcase.example.com,")
            assert entry.link.startswith("https://") and own, (path, entry.id)
            assert entry.author and entry.tags


def test_an_endorsement_entry_links_its_source_and_the_wall_and_keeps_its_id(published):
    feed = parse(published / "feeds/all.atom.xml")
    quotes = [e for e in feed.entries if e.id.startswith("tag:")]
    assert quotes and len({e.id for e in quotes}) == len(quotes)
    northfield = next(e for e in quotes if e.author == "Marta Lindgren")
    assert northfield.id == ("tag:showcase.example.com,2026-10-30:endorsement/"
                             "northfield-water-forecasting")
    content = BeautifulSoup(northfield.content[0].value, "html.parser")
    links = {a.get_text(): a["href"] for a in content.find_all("a")}
    assert links["source: northfield-water.example.org"] == (
        "https://northfield-water.example.org/news/2026/forecasting-partnership")
    assert links["on our endorsement wall"] == (
        f"{SITE}/endorsements/#endorsement-northfield-water-forecasting")


def test_topic_feed_merges_posts_and_endorsements_with_authors(published):
    feed = parse(published / "feeds/topics/grid-reliability.atom.xml")
    authors = {e.author for e in feed.entries}
    assert {"Malik Hassan", "Okoye Adebayo"} <= authors  # an expert and an endorser
    ice = next(e for e in feed.entries if e.title == "Post-incident review: the ice storm weekend")
    assert ice.link == "https://malik.example.com/2026/postmortem-ice-storm/"  # the original
    assert ice.id == f"{SITE}/posts/malik-hassan/postmortem-ice-storm/"
    assert "Grid Reliability" in [t.term for t in ice.tags]
    dates = [e.published_parsed for e in feed.entries]
    assert dates == sorted(dates, reverse=True)


def test_expert_feed_and_no_drafts_anywhere(published):
    feed = parse(published / "feeds/experts/ines-okafor.atom.xml")
    assert {e.author for e in feed.entries} == {"Ines Okafor"}
    everything = " ".join(p.read_text() for p in (published / "feeds").rglob("*.xml"))
    for draft in ("where edge AI goes next", "Five questions every new platform user asks",
                  "Sam Okonkwo"):
        assert draft not in everything


def test_pages_link_their_feeds(published):
    assert page(published, "index.html").find(
        "link", rel="alternate", href=f"{SITE}/feeds/all.atom.xml")
    topic = page(published, "topics/security/")
    assert topic.find("link", rel="alternate", href=f"{SITE}/feeds/topics/security.atom.xml")
    assert topic.find("a", href=f"{SITE}/feeds/topics/security.atom.xml")
    assert page(published, "experts/priya-raman/").find(
        "link", rel="alternate", href=f"{SITE}/feeds/experts/priya-raman.atom.xml")


def test_opml_lists_active_experts_feeds(site, tmp_path):
    site.set_expert("cy", ["https://cy.example.com/feed.xml", "https://cy.example.com/other.xml"])
    site.set_expert("bob", ["https://bob.example.com/feed.xml"], status="alumni")  # left out
    out = site.build()
    outlines = ET.parse(out / "feeds/experts.opml").getroot().findall("./body/outline")
    assert [(o.get("text"), o.get("xmlUrl")) for o in outlines] == [
        ("Cy Example", "https://cy.example.com/feed.xml"),
        ("Cy Example", "https://cy.example.com/other.xml")]


def test_sitemap_and_robots(published):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [u.findtext("s:loc", namespaces=ns)
            for u in ET.parse(published / "sitemap.xml").getroot().findall("s:url", ns)]
    assert f"{SITE}/" in locs and f"{SITE}/topics/security/" in locs
    # Its canonical is its Original (the expert's site): indexed there, not listed here.
    assert f"{SITE}/posts/malik-hassan/postmortem-ice-storm/" not in locs
    assert not any("draft" in loc or "five-questions" in loc for loc in locs)
    assert len(locs) == len(set(locs))
    assert (published / "robots.txt").read_text().endswith(f"Sitemap: {SITE}/sitemap.xml\n")


# Pagefind (>= 1.3) writes stable fragments and word indexes, but its filter and
# metadata indexes (and the entry file naming them) still vary between runs of the
# same input: upstream Pagefind/pagefind#638. Everything else must be identical.
# Every bundle (pagefind/, pagefind-posts-N/) has them.
UPSTREAM_UNSTABLE = re.compile(r"^pagefind[^/]*/(pagefind-entry\.json|filter/|pagefind\.)")


def test_the_same_content_builds_byte_identical_output(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    build(EXAMPLE, first)
    build(EXAMPLE, second)

    def files(root):
        return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()
                and not UPSTREAM_UNSTABLE.match(str(p.relative_to(root)))}

    assert files(first) == files(second)
    assert len(files(first)) > 100
    differ = [f for f in sorted(files(first))
              if not filecmp.cmp(first / f, second / f, shallow=False)]  # contents, not times
    assert differ == []
