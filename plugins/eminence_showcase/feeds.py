"""The corporate stream: Atom feeds for the site, each topic and each expert; an OPML
list of the experts' own feeds; sitemap.xml and robots.txt.

Written with feedgenerator (Pelican's own dependency) rather than Pelican's
write_feed, because an entry's author is the expert or the endorser, not the
site's AUTHOR, and an entry links to the original where there is one. Nothing
here reads the clock: the same content gives byte-identical files.
"""

from __future__ import annotations

import mimetypes
import re
from urllib.parse import urlsplit
from xml.sax.saxutils import escape, quoteattr

from feedgenerator import Atom1Feed, Enclosure
from pelican.utils import truncate_html_words

from eminence_model.settings import setting
from eminence_model.words import count_words

from . import dependencies
from .i18n import gettext_for

FEED_PATHS = {
    "site": "feeds/all.atom.xml",
    "topic": "feeds/topics/{slug}.atom.xml",
    "expert": "feeds/experts/{slug}.atom.xml",
    "language": "feeds/languages/{slug}.atom.xml",  # EMINENCE_FEEDS_BY_LANGUAGE
}
OPML_PATH = "feeds/experts.opml"


class LanguageAtomFeed(Atom1Feed):
    """Atom whose entries say their own language (xml:lang) where it is not the feed's."""

    def item_attributes(self, item):
        attributes = super().item_attributes(item)
        lang = item.get("lang")
        if lang and lang != self.feed.get("language"):
            attributes = {**attributes, "xml:lang": lang}
        return attributes


def base_url(settings: dict) -> str:
    """Absolute base for feeds and the sitemap: SITEURL, or a local one for dev builds."""
    return (settings.get("SITEURL") or setting(settings, "EMINENCE_DEV_SITEURL")).rstrip("/")


def feed_path(kind: str, slug: str = "") -> str:
    return FEED_PATHS[kind].format(slug=slug)


def _entries(items, limit: int):
    """Public posts and endorsements, newest first (a preview build's drafts never reach a feed)."""
    public = [i for i in items if not getattr(i, "is_draft", False)]
    return sorted(public, key=lambda i: (i.date, i.slug), reverse=True)[:limit]


_TAG = re.compile(r"<[^>]*>")


def bounded(item, words: int) -> tuple[str, bool]:
    """An item's HTML for its feed entries, cut to `words` words (tags closed) with a
    link to the whole post: one 20 MB post must not make three 20 MB feeds. Whether it is
    cut, and its cut HTML, are worked out once per item and build (an item is in several
    feeds); a whole post's HTML is not kept: it would be a copy of every post in memory
    until the build ends (output.py drops Pelican's own after each file)."""
    cached = item.__dict__.get("_eminence_feed_html")
    if cached is None or cached[0] != words:
        html = item.content
        cut = count_words(_TAG.sub(" ", html)) > words
        item.__dict__["_eminence_feed_html"] = cached = (
            words, truncate_html_words(html, words, end_text="…") if cut else None)
    return (item.content, False) if cached[1] is None else (cached[1], True)


def summary_of(item) -> str:
    """Pelican's summary of a post, worked out once per build (Pelican's own memo is
    dropped after each file: output.py), as the post is in several feeds."""
    summary = item.__dict__.get("_eminence_feed_summary")
    if summary is None:
        summary = item.__dict__["_eminence_feed_summary"] = item.summary
    return summary


def _add(feed: Atom1Feed, item, base: str, words: int, _) -> None:
    """`_`: gettext in the site's language (i18n.py)."""
    url = f"{base}/{item.url}"
    if hasattr(item, "endorser"):  # an endorsement
        author = item.endorser
        who = item.endorser + (f", {item.endorser_role}" if getattr(item, "endorser_role", None) else "")
        description = f"{who} — " + _("source: %(where)s") % {"where": item.source}
        link = item.source
        source = _("source: %(where)s") % {"where": urlsplit(item.source).netloc}
        wall = _("on our endorsement wall")  # (messages outside f-strings: the extractor reads these)
        content = (f"<blockquote>{bounded(item, words)[0]}</blockquote><p>— {escape(who)} "
                   f"(<a href={quoteattr(item.source)}>{escape(source)}</a>)"
                   f" · <a href={quoteattr(url)}>{escape(wall)}</a></p>")
        # A quote has no page of its own (it moves down the wall's pages): its id is a tag
        # URI (RFC 4151), which names it for good without pretending to be an address.
        authority = urlsplit(base).hostname or "localhost"
        unique = f"tag:{authority},{item.date.date().isoformat()}:endorsement/{item.slug}"
        enclosures = []
    else:  # a post of any kind; a note's title is its first words
        author = item.expert.title
        link = getattr(item, "original", None) or url
        description = summary_of(item)
        content, cut = bounded(item, words)
        content, enclosures = _media(item, content, _)
        whole, original = _("Read the whole post"), _("Read the original")
        if cut:
            content += f"<p><a href={quoteattr(url)}>{escape(whole)}</a></p>"
        if getattr(item, "original", None):
            content += f"<p><a href={quoteattr(link)}>{escape(original)}</a></p>"
        unique = url
    feed.add_item(title=item.title, link=link, description=description, content=content,
                  author_name=author, pubdate=item.date, updateddate=item.date, unique_id=unique,
                  categories=[t.title for t in item.topics], enclosures=enclosures,
                  lang=getattr(item, "lang", None))


def _media(post, content: str, _) -> tuple[str, list]:
    """A video's or an episode's link before its text; an episode's audio also as the
    entry's enclosure, so podcast apps subscribed to an expert's feed can play it."""
    kind = getattr(post, "kind", "article")
    media, original = getattr(post, "media", None), getattr(post, "original", None)
    # As on its page: an episode's audio, a video's page (where it plays) before its file.
    media = (media or original) if kind == "episode" else (original or media)
    if kind not in ("video", "episode") or not media:
        return content, []
    duration = f" ({post.duration})" if getattr(post, "duration", None) else ""
    verb = _("Listen to the episode") if kind == "episode" else _("Watch the video")
    content = f"<p><a href={quoteattr(media)}>{verb}{escape(duration)}</a></p>{content}"
    if kind != "episode":
        return content, []
    mime = mimetypes.guess_type(media.split("?")[0])[0] or "audio/mpeg"
    # RSS and Atom readers expect a size; 0 says "unknown" where the feed gave none.
    return content, [Enclosure(media, str(getattr(post, "media_length", None) or 0), mime)]


def _feed(save, rel: str, title: str, page_url: str, items, settings: dict, base: str,
          language: str | None = None) -> None:
    """save(rel, make, record=...): the writer renders the feed only if what it shows
    changed: its title, link and language, one of its entries (dependencies.feed), the site."""
    entries = _entries(items, settings.get("FEED_MAX_ITEMS") or 50)

    def make() -> str:
        feed_url = f"{base}/{rel}"
        feed = LanguageAtomFeed(title=title, link=page_url, description=setting(settings, "EMINENCE_TAGLINE"),
                                language=language or settings.get("DEFAULT_LANG"), feed_url=feed_url,
                                feed_guid=feed_url)
        words = setting(settings, "EMINENCE_FEED_CONTENT_WORDS")
        gettext, _ = gettext_for(settings)
        for item in entries:
            _add(feed, item, base, words, gettext)
        return feed.writeString("utf-8")

    save(rel, make, record=dependencies.feed(title, page_url, language, entries))


def write_feeds(save, settings: dict, topics, experts, posts, endorsements, languages=()) -> None:
    """`languages`: the site stream's filter by language, [(StreamFilter, posts)] (stream.py)."""
    base = base_url(settings)
    site = settings.get("SITENAME", "")
    _, _n = gettext_for(settings)
    if setting(settings, "EMINENCE_FEEDS_BY_LANGUAGE"):
        for flt, kept in languages:
            _feed(save, feed_path("language", flt.lang), f"{site}: {flt.label}", f"{base}/posts/{flt.slug}/",
                  kept, settings, base, language=flt.lang)
    _feed(save, feed_path("site"), _("%(site)s: all posts and endorsements") % {"site": site}, f"{base}/",
          [*posts, *endorsements], settings, base)
    for t in topics:
        _feed(save, feed_path("topic", t.slug), f"{site}: {t.title}", f"{base}/{t.url}",
              [*t.posts, *t.endorsements], settings, base)
    for e in experts:
        _feed(save, feed_path("expert", e.slug), _("%(name)s at %(site)s") % {"name": e.title, "site": site},
              f"{base}/{e.url}",
              e.posts, settings, base)
    # The classic planet subscription list: every active expert's own feeds.
    outlines = []
    for e in experts:
        if e.is_alumni:
            continue
        for url in getattr(e, "feeds", []):
            if "://" in url:  # local example files are not subscribable
                outlines.append(f'    <outline type="rss" text={quoteattr(e.title)} '
                                f'title={quoteattr(e.title)} xmlUrl={quoteattr(url)} '
                                f'htmlUrl={quoteattr(f"{base}/{e.url}")}/>')
    title = _("%(site)s: our experts' feeds") % {"site": site}
    save(OPML_PATH, lambda: '<?xml version="1.0" encoding="utf-8"?>\n<opml version="2.0">\n'
           f"  <head><title>{escape(title)}</title></head>\n  <body>\n"
           + "\n".join(outlines) + "\n  </body>\n</opml>\n")


def write_sitemap(save, settings: dict, pages: list[tuple[str, object]]) -> None:
    """pages: (url relative to the site, datetime of the last change or None)."""
    base = base_url(settings)
    rows = []
    for url, when in sorted(pages, key=lambda p: p[0]):
        lastmod = f"<lastmod>{when.date().isoformat()}</lastmod>" if when else ""
        rows.append(f"  <url><loc>{escape(f'{base}/{url}')}</loc>{lastmod}</url>")
    save("sitemap.xml", lambda: '<?xml version="1.0" encoding="utf-8"?>\n'
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + "\n".join(rows)
           + "\n</urlset>\n")
    save("robots.txt", lambda: f"User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
