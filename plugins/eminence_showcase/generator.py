"""ShowcaseGenerator: reads topics, experts and endorsements, validates the whole
content model (posts included), links it together and writes the showcase pages.

Posts stay ordinary Pelican articles (read and written by ArticlesGenerator);
this generator runs after it, so `context["articles"]` and `context["drafts"]`
are already there when `generate_context` starts.
"""

from __future__ import annotations

import logging
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from pelican.generators import Generator
from pelican.paginator import Paginator

from eminence_model.schema import (
    ENDORSEMENT_FIELDS,
    EXPERT_FIELDS,
    POST_FIELDS,
    TOPIC_FIELDS,
    Endorsement,
    Expert,
    Topic,
)
from eminence_model.sources import (
    Source,
    check_headers,
    check_links,
    check_reserved,
    check_unique,
    new_parser,
    raw_metadata,
    read_kind,
)
from eminence_model.validate import ContentError, display_path

from . import charts, search
from .feeds import write_feeds, write_sitemap
from .output import saver, writer_sharing
from .state import build_state
from .stream import is_endorsement, merged, stream

logger = logging.getLogger(__name__)

# Attributes Pelican derives itself (e.g. dates made timezone-aware in
# Content.__init__); validation checks them but must not overwrite them.
PELICAN_MANAGED = {"title", "date", "status", "summary", "slug"}


@dataclass
class Showcase:
    topics: list = field(default_factory=list)
    experts: list = field(default_factory=list)
    endorsements: list = field(default_factory=list)  # shown in this build
    posts: list = field(default_factory=list)  # shown in this build, newest first
    stream: object = None  # every post and endorsement shown (stream.Stream)


class ShowcaseGenerator(Generator):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.preview = bool(self.settings.get("EMINENCE_PREVIEW"))
        self.showcase = Showcase()

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

    # -- validation ---------------------------------------------------------

    def _validate(self):
        parser = new_parser(self.settings)
        topics = self._read_kind("topics", Topic, parser)
        experts = self._read_kind("experts", Expert, parser)
        endorsements = self._read_kind("endorsements", Endorsement, parser)
        posts = self._post_sources(parser)

        parser.topics = {s.slug for s in topics}
        parser.experts = {s.slug for s in experts}

        check_unique(topics, lambda s: s.slug, parser, "topic")
        check_unique(experts, lambda s: s.slug, parser, "expert")
        check_unique(endorsements, lambda s: s.slug, parser, "endorsement")
        check_unique(posts, lambda s: (s.meta.get("expert"), s.slug), parser, "post")
        check_reserved([*topics, *experts], parser)
        check_links(self.path, parser)
        for kind_fields, sources in ((TOPIC_FIELDS, topics), (EXPERT_FIELDS, experts),
                                     (ENDORSEMENT_FIELDS, endorsements), (POST_FIELDS, posts)):
            check_headers(sources, kind_fields, parser, self.settings)

        parsed = {}
        for kind_fields, sources in ((TOPIC_FIELDS, topics), (EXPERT_FIELDS, experts),
                                     (ENDORSEMENT_FIELDS, endorsements), (POST_FIELDS, posts)):
            for src in sources:
                parsed[src.path] = parser.parse(src.path, src.meta, kind_fields)

        for src in endorsements:
            values = parsed[src.path]
            if values.get("status") == "published" and values.get("consent") == "pending":
                parser.problem(
                    src.path, "Consent",
                    "is 'pending' but Status is 'published': an endorsement is published only "
                    "with consent.",
                    "record consent and set 'Consent: granted' (or 'public' if it was said "
                    "publicly at Source), or set 'Status: draft' until consent arrives.",
                )
        for src in posts:
            folder = os.path.relpath(src.path, self.path).split(os.sep)
            expert = parsed[src.path].get("expert")
            if expert and len(folder) >= 3 and folder[1] != expert:
                parser.problem(
                    src.path, "Expert",
                    f"is '{expert}' but the file is under posts/{folder[1]}/.",
                    f"move the file to content/posts/{expert}/ or correct 'Expert:'.",
                )
            kind = parsed[src.path].get("kind", "article")
            if kind == "episode" and not parsed[src.path].get("media"):
                parser.problem(src.path, "Media", "is missing: an episode's page links to its audio.",
                               "add 'Media: <the https URL of the audio file>', or change 'Kind:'.")
            if kind == "video" and not (parsed[src.path].get("media") or parsed[src.path].get("original")):
                parser.problem(src.path, "Media", "is missing: a video's page links to where it plays.",
                               "add 'Media: <the https URL of the video's page>', or change 'Kind:'.")

        explained = {p.path for p in parser.problems}
        for src in (*topics, *experts, *endorsements, *posts):
            if src.obj is None and display_path(src.path) not in explained:
                parser.problem(src.path, "(file)", f"Pelican could not read it ({src.error}).",
                               "check the metadata lines at the top of the file.")
        if parser.problems:
            raise ContentError(parser.problems)
        return topics, experts, endorsements, posts, parsed

    # -- linking ------------------------------------------------------------

    def generate_context(self):
        topics, experts, endorsements, posts, parsed = self._validate()

        def apply(sources):
            for src in sources:
                for attr, value in parsed[src.path].items():
                    if attr not in PELICAN_MANAGED:
                        setattr(src.obj, attr, value)
            return [s.obj for s in sources]

        topic_objs = apply(topics)
        expert_objs = apply(experts)
        endorsement_objs = apply(endorsements)
        post_objs = apply(posts)

        by_topic = {t.slug: t for t in topic_objs}
        by_expert = {e.slug: e for e in expert_objs}
        for obj in (*topic_objs, *expert_objs, *endorsement_objs, *post_objs):
            if hasattr(obj, "topics"):
                obj.topics = [by_topic[s] for s in obj.topics]
        for e in expert_objs:
            e.trusted = getattr(e, "trusted", False)
        for p in post_objs:
            p.expert = by_expert[p.expert]
            p.featured = getattr(p, "featured", False)
            p.is_draft = p.status != "published"
            p.kind = getattr(p, "kind", "article")
        for e in endorsement_objs:
            e.experts = [by_expert[s] for s in getattr(e, "experts", [])]
            e.featured = getattr(e, "featured", False)
            e.is_draft = not e.is_public

        shown_posts = [p for p in post_objs if p.status == "published" or (
            self.preview and p.status == "draft")]
        shown_posts.sort(key=lambda p: (p.date, p.slug), reverse=True)
        shown_endorsements = [e for e in endorsement_objs if e.is_public or (
            self.preview and e.consent != "withdrawn")]
        shown_endorsements.sort(key=lambda e: (e.date, e.slug), reverse=True)
        self._wall_urls(shown_endorsements)
        for e in endorsement_objs:
            if e.status == "published" and e.consent == "withdrawn":
                logger.warning("%s: Consent is 'withdrawn': the endorsement is taken down from "
                               "the site.", display_path(e.source_path))

        posts_by = defaultdict(list)
        endorsements_by = defaultdict(list)
        for p in shown_posts:
            posts_by[p.expert.slug].append(p)
            for t in p.topics:
                posts_by["topic:" + t.slug].append(p)
        for e in shown_endorsements:
            for t in e.topics:
                endorsements_by["topic:" + t.slug].append(e)
            for x in e.experts:
                endorsements_by[x.slug].append(e)

        expert_objs.sort(key=lambda e: (e.is_alumni, e.title.lower()))
        topic_objs.sort(key=lambda t: (getattr(t, "order", 1000), t.title.lower()))
        for t in topic_objs:
            t.posts = posts_by["topic:" + t.slug]
            t.endorsements = endorsements_by["topic:" + t.slug]
            t.experts = [e for e in expert_objs if t in e.topics]
            t.active_experts = [e for e in t.experts if not e.is_alumni]
        for e in expert_objs:
            e.posts = posts_by[e.slug]
            e.endorsements = endorsements_by[e.slug]
        for obj in (*topic_objs, *expert_objs):
            obj.stream = stream(obj.url, merged(obj.posts, obj.endorsements))

        self._chart(topic_objs, expert_objs, shown_posts, shown_endorsements)
        site_stream = stream("posts/", merged(shown_posts, shown_endorsements))
        self.showcase = Showcase(topic_objs, expert_objs, shown_endorsements, shown_posts, site_stream)
        featured = [e for e in shown_endorsements if e.featured] or shown_endorsements
        featured = featured[: self.settings["EMINENCE_HOME_ENDORSEMENTS"]]
        # The home page's stream: what is new, endorsements the page already features aside.
        latest = [i for i in site_stream.items if not (is_endorsement(i) and i in featured)]
        self.home_stream = latest[: self.settings["EMINENCE_HOME_LATEST"]]
        drafts = sorted((p for p in post_objs if p.status == "draft"), key=lambda p: (p.date, p.slug),
                        reverse=True)
        waiting = sorted((e for e in endorsement_objs if e.status == "draft" and e.consent != "withdrawn"),
                         key=lambda e: (e.date, e.slug), reverse=True)
        # Search bundles follow the posts this build writes (drafts too, in a preview).
        build_state(self.settings).search_plan = bundles = search.plan(self.settings, shown_posts)
        self.context.update(
            search_bundles=list(bundles),
            review_queue={"posts": drafts, "endorsements": waiting},
            topics=topic_objs,
            experts=expert_objs,
            endorsements=shown_endorsements,
            showcase_posts=shown_posts,
            featured_endorsements=featured,
            site_stream=site_stream,
            EMINENCE_PREVIEW=self.preview,
        )

    def _chart(self, topics, experts, posts, endorsements) -> None:
        """Activity over the 24 months to the build's month (charts.build_day)."""
        public_posts = [p for p in posts if not p.is_draft]
        public_endorsements = [e for e in endorsements if not e.is_draft]
        newest = max([x.date.date() for x in (*public_posts, *public_endorsements)], default=None)
        months = charts.window(max(filter(None, (charts.build_day(), newest))))
        silent_before = (months[-6] if len(months) >= 6 else None)
        in_window = set(months)
        for t in topics:
            t.activity = charts.activity(months, [p for p in t.posts if not p.is_draft],
                                         [e for e in t.endorsements if not e.is_draft])
            # The coverage page's posts by kind, over the same months as the activity.
            t.kind_counts = Counter(p.kind for p in t.posts
                                    if not p.is_draft and (p.date.year, p.date.month) in in_window)
            t.activity_chart = charts.bar_chart(t.activity, t.title, f"chart-{t.slug}")
            dates = [x.date for x in (*t.posts, *t.endorsements) if not x.is_draft]
            t.latest_activity = max(dates, default=None)
            t.is_silent = not t.latest_activity or (
                silent_before and (t.latest_activity.year, t.latest_activity.month) < silent_before)
        for e in experts:
            e.activity = charts.activity(months, [p for p in e.posts if not p.is_draft], [])
            e.sparkline = charts.sparkline(e.activity, e.title)
        self.context["activity_months"] = months

    def _wall_urls(self, endorsements) -> None:
        """The wall is paginated: each endorsement's URL is its card on its own page."""
        per_page = self.settings["PAGINATED_TEMPLATES"].get("endorsements") or self.settings[
            "DEFAULT_PAGINATION"]
        paginator = Paginator("endorsements/index.html", "endorsements/", endorsements, self.settings,
                              per_page)
        for number in range(1, paginator.num_pages + 1):
            page_url = paginator.page(number).url
            for e in paginator.page(number).object_list:
                e.override_url = f"{page_url}#endorsement-{e.slug}"

    # -- writing ------------------------------------------------------------

    def _write(self, writer, save_as, template, url, paginate=None, **kwargs):
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
            1 + len(x.stream.filters) for x in (*sc.topics, *sc.experts))
        with writer_sharing(writer, pages, lists=True):
            self._write_pages(writer)

    def _write_stream(self, writer, stream, template: str, save_as: str, **kwargs):
        """A stream's first page (and its pagination), then a page per filter."""
        self._write(writer, save_as, template, stream.base, paginate=stream.items,
                    articles=stream.items, stream=stream, current_filter=None, **kwargs)
        for flt, items in stream.filters:
            url = stream.link(flt)
            self._write(writer, f"{url}index.html", template, url, paginate=items, articles=items,
                        stream=stream, current_filter=flt, **kwargs)

    def _write_pages(self, writer):
        sc = self.showcase
        # The home page shows these items' bodies (a note's text): given, so it is fingerprinted
        # with them (fingerprint.py).
        self._write(writer, "index.html", "index", "", latest_items=self.home_stream)
        self._write_stream(writer, sc.stream, "posts", "posts/index.html")
        self._write(writer, "topics/index.html", "topics", "topics/")
        self._write(writer, "experts/index.html", "experts", "experts/",
                    listed_experts=sc.experts, current_topic=None)
        self._write(writer, "endorsements/index.html", "endorsements", "endorsements/",
                    paginate=sc.endorsements, listed_endorsements=sc.endorsements, current_topic=None)
        for t in sc.topics:
            self._write_stream(writer, t.stream, "topic", t.save_as, topic=t)
            self._write(writer, f"experts/topic/{t.slug}/index.html", "experts",
                        f"experts/topic/{t.slug}/", listed_experts=t.experts, current_topic=t)
            self._write(writer, f"endorsements/topic/{t.slug}/index.html", "endorsements",
                        f"endorsements/topic/{t.slug}/", paginate=t.endorsements,
                        listed_endorsements=t.endorsements, current_topic=t)
        for e in sc.experts:
            self._write_stream(writer, e.stream, "expert", e.save_as, expert=e)
        self._write(writer, "404.html", "404", "404.html")
        self._write(writer, "search/index.html", "search", "search/")
        self._write(writer, "coverage/index.html", "coverage", "coverage/")
        save = saver(writer, self.output_path)
        write_feeds(save, self.settings, sc.topics, sc.experts, sc.posts, sc.endorsements)
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
        pages += [(p.url, p.date) for p in public]
        write_sitemap(save, self.settings, pages)
