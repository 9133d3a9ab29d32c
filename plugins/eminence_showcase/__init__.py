"""eminence_showcase: the Pelican plugin that builds the showcase (the build stage).

Topics, experts and endorsements are read through Pelican's own readers by
`ShowcaseGenerator`; posts are Pelican articles that the generator validates
(with eminence_model's rules) and links to their experts and topics. Every signal
this plugin listens to is in `register()` below; what they hand each other is
`state.BuildState`.

Every body it renders has been sanitized where it was read (eminence_model.reading,
sanitize.clean_read): pulled content with the feeds' allowlist, editors' with
theirs, unless EMINENCE_TRUST_EDITOR_HTML. If EMINENCE_PULL_ON_BUILD is set, it
pulls before the build (off by default: published builds use only committed
Markdown).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from markupsafe import Markup
from pelican import signals
from pelican.contents import Article, Content

from eminence_model import pelican_adapter, reading
from eminence_model import settings as settings_table
from eminence_model.urls import apply_url_settings
from eminence_model.validate import ContentError
from eminence_model.words import cut_at_word

from . import i18n, prefetch, search, structured, template_cache
from .generator import ShowcaseGenerator
from .output import OutputWriter
from .state import build_state, new_build

__all__ = ["ContentError", "ShowcaseGenerator", "register"]

logger = logging.getLogger(__name__)

def initials(name: str) -> str:
    parts = [p for p in str(name).replace("-", " ").split() if p[:1].isalpha()]
    return "".join(p[0] for p in (parts[:1] + parts[-1:] if len(parts) > 1 else parts)).upper()


def host(url: str) -> str:
    netloc = urlsplit(str(url)).hostname or ""
    return netloc.removeprefix("www.")


def summary_text(content) -> str:
    """A post's summary as plain text (cards, a page's description), computed once per post.

    Pelican memoizes `summary` per site URL, which with relative URLs is one per page
    depth, and each card then stripped its tags again: a tenth of a cold build. Only
    links differ between those summaries, and stripping the tags removes them.
    """
    text = content.__dict__.get("_eminence_summary_text")
    if text is None:
        text = content.__dict__["_eminence_summary_text"] = Markup(content.summary).striptags()
    return text


def describe(text, limit: int = 160) -> str:
    """A page's meta description: whole words, at most `limit` characters, an ellipsis
    only where it was cut (and never after a full stop: "cannot...." read as a typo)."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = cut_at_word(text, limit - 1)  # a CJK character is a word of its own (words.py)
    return cut.rstrip(" .,;:!?…-–—。、，！？") + "…"


def lang_attr(tag, page_lang) -> Markup:
    """` lang="TAG"` where `tag` differs from the language of what is around it, else
    nothing. Escaped: a tag reaching here was validated, but an attribute is no place to trust."""
    if not tag or str(tag) == str(page_lang):
        return Markup("")
    return Markup(' lang="{}"').format(str(tag))


def apply_settings(pelican) -> None:
    settings = pelican.settings
    reading.start(settings)  # one read cache and one state per build, even when settings are reused
    state = new_build(settings)
    settings_table.check(settings)
    apply_url_settings(settings)
    for known in settings_table.SETTINGS:  # what the theme reads from the settings
        if known.template:
            settings.setdefault(known.name, known.default)

    # Feed text reaches templates through titles and metadata: escape by default.
    environment = settings.get("JINJA_ENVIRONMENT", {})
    settings["JINJA_ENVIRONMENT"] = {**environment, "autoescape": True,  # and the site's words, i18n.py
                                     "extensions": [*environment.get("extensions", []), "jinja2.ext.i18n"]}
    settings["JINJA_FILTERS"] = {**settings.get("JINJA_FILTERS", {}),
                                 "initials": initials, "host": host, "summary_text": summary_text,
                                 "describe": describe, "lang_attr": lang_attr,
                                 **i18n.filters(settings), **structured.filters(settings)}

    # Pelican empties the output folder before reading content. Instead, the
    # OutputWriter (created once the content has validated, so invalid content
    # leaves the last good build) updates it in place, or empties it when it has
    # no record of the last build.
    if pelican_adapter.keep_output_folder(pelican):
        state.clean_output = True


def expert_placeholder(content) -> None:
    """A post without `Expert:` cannot have its URL (posts/{expert}/...) formatted, and
    Pelican asks for it before any validation runs: an empty one lets validation say
    which file lacks the field, instead of a KeyError that names none."""
    if isinstance(content, Article) and "expert" not in content.metadata:
        content.metadata["expert"] = ""


def share_url_wrappers(content) -> None:
    pelican_adapter.share_url_wrappers(content, build_state(content.settings).url_wrappers)


def pull_before_build(pelican) -> None:
    if not settings_table.setting(pelican.settings, "EMINENCE_PULL_ON_BUILD"):
        return
    from eminence_pull import run_pull  # a lower stage; only this opt-in setting needs it

    summary = run_pull(pelican.settings)
    for line in summary.lines():
        logger.info(line)


def save_read_cache(generators) -> None:
    if generators:
        reading.finish(generators[0].settings)


def freeze_urls(generators) -> None:
    """Content is final once every generator has read it: compute each object's URL
    once. Pelican formats it from the URL settings on every access, and list pages
    ask for it ~35 times per post (a sixth of a 5,000-post build's render time).
    Pelican's own `override_url` mechanism holds the result."""
    context = generators[0].context if generators else {}
    models = [g.model for g in generators if isinstance(g, ShowcaseGenerator) and g.model]
    records = [r for m in models for r in (*m.topics, *m.experts, *m.every_endorsement)]
    seen = set()
    for obj in [*context.get("generated_content", {}).values(), *context.get("drafts", []),
                *(r.read for r in records)]:
        if isinstance(obj, Content) and id(obj) not in seen:
            seen.add(id(obj))
            # Not save_as: Pelican reads `override_save_as` as "may overwrite another page".
            if not hasattr(obj, "override_url"):
                obj.override_url = obj.url


# Pelican's list pages the showcase replaces (its settings save them nowhere), each with
# the setting that would save them and the ArticlesGenerator method that writes them.
UNSAVED_LISTS = (("TAG_SAVE_AS", "generate_tags"), ("CATEGORY_SAVE_AS", "generate_categories"),
                 ("AUTHOR_SAVE_AS", "generate_authors"))


def skip_unsaved_lists(generator) -> None:
    """For each tag, category and author, Pelican gathers its posts in date order (a scan
    of every post) before its writer finds that the page is saved nowhere: about 2 s of
    every 5,000-post build, cold or not. Where the setting saves nothing, this generator
    does not gather them; a site that sets one gets Pelican's pages as ever."""
    pelican_adapter.skip_list_pages(generator, [method for setting, method in UNSAVED_LISTS
                                                if not generator.settings.get(setting)])


def articles_written(generator, writer) -> None:
    if isinstance(writer, OutputWriter):
        writer.articles_written()


def get_writer(pelican):
    return OutputWriter


def finish_output(pelican) -> None:
    """Remove stale files, say the pages are written, then (re)index search: Pagefind
    must not see stale pages."""
    state = build_state(pelican.settings)
    writer = state.writer
    if writer is not None:
        writer.finish()
        logger.info("Rendered %d pages, reused %d unchanged; %d files changed",
                    writer.rendered, writer.skipped, len(writer.changed))
    if state.pages_written is not None:
        state.pages_written(writer is None or bool(writer.changed))
    if not state.search_after_run:  # else runner.build indexes, once the build's objects are freed
        search.build_index(pelican)


def get_generators(pelican):
    return ShowcaseGenerator


def prepare_templates(generator) -> None:
    """Translations in every generator's templates, and their compiled code kept between
    builds (template_cache.py; after i18n, whose extension changes what they compile to)."""
    if getattr(generator, "env", None) is not None:
        i18n.install(generator.env, generator.settings)
        if generator.settings.get("CACHE_PATH"):
            template_cache.use_cache(generator.env, generator.settings["CACHE_PATH"])


def register():
    signals.initialized.connect(apply_settings)
    signals.generator_init.connect(prepare_templates)
    signals.initialized.connect(pull_before_build)
    signals.readers_init.connect(reading.use_cache)
    signals.content_object_init.connect(expert_placeholder)
    signals.content_object_init.connect(share_url_wrappers)
    signals.get_generators.connect(get_generators)
    signals.article_generator_init.connect(prefetch.prefetch)
    signals.article_generator_init.connect(skip_unsaved_lists)
    signals.all_generators_finalized.connect(save_read_cache)
    signals.all_generators_finalized.connect(freeze_urls)
    signals.get_writer.connect(get_writer)
    signals.article_writer_finalized.connect(articles_written)
    signals.finalized.connect(finish_output)
