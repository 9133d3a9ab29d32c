"""ShowcaseGenerator: reads topics, experts and endorsements, validates the whole
content model (posts included; eminence_model.sources.validate), links it into the
showcase model (eminence_model.showcase.link, kept as `self.model`), dresses Pelican's
objects with the model's links for the theme (`dress`) and writes the showcase pages.

Posts stay ordinary Pelican articles (read and written by ArticlesGenerator);
this generator runs after it, so `context["articles"]` and `context["drafts"]`
are already there when `generate_context` starts.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import dataclass, field

from pelican.generators import Generator

from eminence_model import showcase
from eminence_model.schema import (
    Endorsement,
    Expert,
    Topic,
)
from eminence_model.settings import setting
from eminence_model.sources import (
    PELICAN_MANAGED,
    Source,
    Sources,
    link_sources,
    new_parser,
    raw_metadata,
    read_kind,
    validate,
)
from eminence_model.validate import display_path

from . import cards, charts, dependencies, i18n, search
from .feeds import write_feeds, write_sitemap
from .output import OutputWriter, saver, writer_sharing
from .state import build_state
from .stream import is_endorsement, merged, stream

logger = logging.getLogger(__name__)


@dataclass
class Pages:
    """What the pages show: the model's records as the theme's (Pelican's) objects."""

    topics: list = field(default_factory=list)
    experts: list = field(default_factory=list)
    endorsements: list = field(default_factory=list)  # shown in this build
    posts: list = field(default_factory=list)  # shown in this build, newest first
    stream: object = None  # every post and endorsement shown (stream.Stream)


def dress(model: showcase.Showcase, settings: dict) -> tuple[list, list, list, list]:
    """The theme reads Pelican's objects: each gets its record's links as attributes
    (`post.expert`, `topic.posts`...), objects where the record has records. One way
    only: nothing here decides what is shown or in which order; the model did."""
    def objs(records):
        return [r.read for r in records]

    for record in (*model.experts, *model.every_post, *model.every_endorsement):
        record.read.topics = objs(record.topics)
    for x in model.experts:
        x.read.trusted = x.trusted
    for p in model.every_post:
        p.read.expert, p.read.featured, p.read.is_draft = p.expert.read, p.featured, p.is_draft
        p.read.kind = p.kind.value
        if p.lang:  # else Pelican's own: DEFAULT_LANG
            p.read.lang = p.lang
    for e in model.every_endorsement:
        e.read.experts, e.read.featured, e.read.is_draft = objs(e.experts), e.featured, e.is_draft
        if e.lang:  # normalised (languages.py); else Pelican's own: DEFAULT_LANG
            e.read.lang = e.lang
        if e.url:
            e.read.override_url = e.url
    for t in model.topics:
        t.read.posts = objs(model.posts_of(t))
        t.read.endorsements = objs(model.endorsements_of(t))
        t.read.experts = objs(model.experts_of(t))
        t.read.active_experts = objs(model.experts_of(t, active=True))
    for x in model.experts:
        x.read.posts = objs(model.posts_of(x))
        x.read.endorsements = objs(model.endorsements_of(x))
    for r in (*model.topics, *model.experts):
        r.read.stream = stream(r.read.url, merged(r.read.posts, r.read.endorsements), settings)
    return objs(model.topics), objs(model.experts), objs(model.posts), objs(model.endorsements)


class ShowcaseGenerator(Generator):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preview = bool(setting(self.settings, "EMINENCE_PREVIEW"))
        self.showcase = Pages()
        self.model: showcase.Showcase | None = None
        self.cards: list[cards.Card] = []

    # -- reading ------------------------------------------------------------

    def _read_kind(self, folder: str, content_class, parser) -> list[Source]:
        return read_kind(self.readers, self.settings, self.path, self.get_files([folder]),
                         content_class, parser, self.context)

    def _post_sources(self, parser) -> list[Source]:
        """Every post Pelican found, including the ones it failed to read."""
        sources = []
        for article in [*self.context.get("articles", []), *self.context.get("drafts", []),
                        *self.context.get("hidden_articles", [])]:
            sources.append(Source(article.source_path, article.metadata, article, article.slug))
        for rel, obj in self.context.get("generated_content", {}).items():
            if obj is None and any(rel.startswith(p.rstrip("/") + "/")
                                   for p in self.settings["ARTICLE_PATHS"]):
                abs_path = os.path.join(self.path, rel)
                meta = raw_metadata(self.settings, abs_path, parser)
                if meta is not None:
                    stem = os.path.splitext(os.path.basename(rel))[0]
                    sources.append(Source(abs_path, meta, None, meta.get("slug", stem),
                                          Exception("Pelican skipped it; see its log above")))
        return sources

    # -- linking ------------------------------------------------------------

    def generate_context(self):
        parser = new_parser(self.settings)
        sources = Sources(self._read_kind("topics", Topic, parser),
                          self._read_kind("experts", Expert, parser),
                          self._read_kind("endorsements", Endorsement, parser),
                          self._post_sources(parser))
        parsed = validate(sources, parser, self.settings)
        self.model = model = link_sources(sources, parsed, self.settings)
        for _, kind_sources in sources.kinds():
            for src in kind_sources:
                for attr, value in parsed[src.path].items():
                    if attr not in PELICAN_MANAGED:
                        setattr(src.obj, attr, value)
        topic_objs, expert_objs, shown_posts, shown_endorsements = dress(model, self.settings)
        for e in model.taken_down:
            logger.warning("%s: Consent is 'withdrawn': the endorsement is taken down from "
                           "the site.", display_path(e.path))
        self._chart(topic_objs, expert_objs, shown_posts, shown_endorsements)
        logo, site_card, topic_cards, expert_cards = cards.plan(self.settings, topic_objs, expert_objs)
        for obj, card in [*((t, topic_cards[t.slug]) for t in topic_objs),
                          *((x, expert_cards[x.slug]) for x in expert_objs)]:
            obj.card = card
        self.cards = [logo, site_card, *topic_cards.values(), *expert_cards.values()]
        site_stream = stream("posts/", merged(shown_posts, shown_endorsements), self.settings)
        self.showcase = Pages(topic_objs, expert_objs, shown_endorsements, shown_posts, site_stream)
        featured = [e for e in shown_endorsements if e.featured] or shown_endorsements
        featured = featured[: setting(self.settings, "EMINENCE_HOME_ENDORSEMENTS")]
        # The home page's stream: what is new, endorsements the page already features aside.
        latest = [i for i in site_stream.items if not (is_endorsement(i) and i in featured)]
        self.home_stream = latest[: setting(self.settings, "EMINENCE_HOME_LATEST")]
        # Search bundles follow the posts this build writes (drafts too, in a preview).
        build_state(self.settings).search_plan = bundles = search.plan(self.settings, shown_posts)
        self.context.update(
            search_bundles=list(bundles),
            topics=topic_objs,
            experts=expert_objs,
            endorsements=shown_endorsements,
            showcase_posts=shown_posts,
            featured_endorsements=featured,
            site_stream=site_stream,
            EMINENCE_PREVIEW=self.preview,
            site_card=site_card,
            site_logo=logo,
        )

    def _chart(self, topics, experts, posts, endorsements) -> None:
        """Activity over the 24 months to the build's month (charts.build_day)."""
        public_posts = [p for p in posts if not p.is_draft]
        public_endorsements = [e for e in endorsements if not e.is_draft]
        newest = max([x.date.date() for x in (*public_posts, *public_endorsements)], default=None)
        months = charts.window(max(filter(None, (charts.build_day(), newest))))
        words = charts.Words(*i18n.gettext_for(self.settings), i18n.month_formatter(self.settings))
        silent_before = (months[-6] if len(months) >= 6 else None)
        in_window = set(months)
        for t in topics:
            t.activity = charts.activity(months, [p for p in t.posts if not p.is_draft],
                                         [e for e in t.endorsements if not e.is_draft], words)
            # The coverage page's posts by kind, over the same months as the activity.
            t.kind_counts = Counter(p.kind for p in t.posts
                                    if not p.is_draft and (p.date.year, p.date.month) in in_window)
            t.activity_chart = charts.bar_chart(t.activity, t.title, f"chart-{t.slug}")
            dates = [x.date for x in (*t.posts, *t.endorsements) if not x.is_draft]
            t.latest_activity = max(dates, default=None)
            t.is_silent = not t.latest_activity or (
                silent_before and (t.latest_activity.year, t.latest_activity.month) < silent_before)
        for e in experts:
            e.activity = charts.activity(months, [p for p in e.posts if not p.is_draft], [], words)
            e.sparkline = charts.sparkline(e.activity, e.title)
        self.context["activity_months"] = months

    # -- writing ------------------------------------------------------------

    def _write(self, writer, save_as, template, url, paginate=None, record=None, **kwargs):
        """`record`: what the page shows (dependencies.py); without one, the page is
        rendered again whenever any source file's metadata changed."""
        if record is not None and isinstance(writer, OutputWriter):
            kwargs["page_record"] = record
        writer.write_file(
            save_as,
            self.get_template(template),
            self.context,
            relative_urls=self.settings["RELATIVE_URLS"],
            paginated={"articles": paginate} if paginate is not None else None,
            template_name=template,
            url=url,
            **kwargs,
        )

    def generate_output(self, writer):
        # Every process (parallel.Share) runs _write_pages; each renders its share of the pages.
        sc = self.showcase
        pages = len(sc.posts) // max(1, self.settings["DEFAULT_PAGINATION"]) + 3 * len(sc.topics) + sum(
            1 + len(x.stream.filters) + len(x.stream.languages) for x in (*sc.topics, *sc.experts))
        with writer_sharing(writer, pages, lists=True):
            self._write_pages(writer)
        cards.prune_cache(self._card_cache, self.cards)

    @property
    def _card_cache(self) -> str:
        return os.path.join(self.settings.get("CACHE_PATH", "cache"), "cards")

    def _write_stream(self, writer, stream, template: str, save_as: str, record, **kwargs):
        """A stream's first page (and its pagination), then a page per filter (kind, language)."""
        self._write(writer, save_as, template, stream.base, paginate=stream.items, record=record,
                    articles=stream.items, stream=stream, current_filter=None, **kwargs)
        for flt, items in (*stream.filters, *stream.languages):
            url = stream.link(flt)
            self._write(writer, f"{url}index.html", template, url, paginate=items, record=record,
                        articles=items, stream=stream, current_filter=flt, **kwargs)

    def _write_pages(self, writer):
        sc = self.showcase
        # The home page shows these items' bodies (a note's text): given, so it is fingerprinted
        # with them (fingerprint.py).
        self._write(writer, "index.html", "index", "", latest_items=self.home_stream)
        self._write_stream(writer, sc.stream, "posts", "posts/index.html",
                           dependencies.stream_pages(sc.stream))
        self._write(writer, "topics/index.html", "topics", "topics/")
        for t in (None, *sc.topics):
            folder = f"topic/{t.slug}/" if t else ""
            listed = t.experts if t else sc.experts
            self._write(writer, f"experts/{folder}index.html", "experts", f"experts/{folder}",
                        record=dependencies.expert_list(sc.topics, t, listed),
                        listed_experts=listed, current_topic=t)
            listed = t.endorsements if t else sc.endorsements
            self._write(writer, f"endorsements/{folder}index.html", "endorsements",
                        f"endorsements/{folder}", paginate=listed,
                        record=dependencies.endorsement_pages(sc.topics, t),
                        listed_endorsements=listed, current_topic=t)
            if t:
                self._write_stream(writer, t.stream, "topic", t.save_as, dependencies.topic_stream(t),
                                   topic=t)
        for e in sc.experts:
            self._write_stream(writer, e.stream, "expert", e.save_as, dependencies.expert_stream(e), expert=e)
        self._write(writer, "404.html", "404", "404.html")
        self._write(writer, "search/index.html", "search", "search/")
        self._write(writer, "coverage/index.html", "coverage", "coverage/")
        save = saver(writer, self.output_path)
        for card in self.cards:  # drawn only where no earlier build left it (cards.py)
            save(card.path, lambda card=card: cards.card_bytes(card, self._card_cache), digest=card.digest)
        write_feeds(save, self.settings, sc.topics, sc.experts, sc.posts, sc.endorsements,
                    sc.stream.languages)
        public = [p for p in sc.posts if not p.is_draft]  # drafts never reach the sitemap
        newest = {}
        for p in public:
            for key in (p.expert.url, *(t.url for t in p.topics), ""):
                newest[key] = max(newest.get(key, p.date), p.date)
        pages = [("", newest.get("")), ("topics/", None), ("experts/", None), ("endorsements/", None),
                 ("posts/", newest.get("")), ("coverage/", newest.get(""))]
        pages += [(t.url, newest.get(t.url)) for t in sc.topics]
        pages += [(f"{kind}/topic/{t.slug}/", None) for t in sc.topics
                  for kind in ("experts", "endorsements")]
        pages += [(e.url, newest.get(e.url)) for e in sc.experts]
        # A post whose canonical is its Original (the expert's own site) is indexed there,
        # not here: listing it too would tell search engines two stories.
        pages += [(p.url, p.date) for p in public if not getattr(p, "original", None)]
        write_sitemap(save, self.settings, pages)
