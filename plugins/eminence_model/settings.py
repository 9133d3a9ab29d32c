"""Every EMINENCE_* setting: its default, what it takes and one line on what it does.

A showcase sets any of them in its pelicanconf.py. This table is the only place a
default lives: code reads a setting with `setting(settings, name)`, docs/operating.md's
settings tables are tested against it (tests/test_layout.py), and `problems` refuses a
misspelt name or a value of the wrong type with the fix, before anything is read.
(Planet Venus's config.py is the model: one table, read by everything.)

`stage` says who reads it: "pull" (the pull and feed checks), "build" (the site),
"both". `template`: the theme reads it from the settings, so the build sets its default.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .refusals import Refusal


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    takes: str  # int | number | bool | str | list | dict | int-or-none (_CHECKS)
    doc: str
    stage: str = "build"
    template: bool = False


def _s(name, default, takes, doc, stage="build", template=False) -> Setting:
    return Setting(name, default, takes, doc, stage, template)


SETTINGS = (
    # -- the site ---------------------------------------------------------------------
    _s("EMINENCE_TAGLINE", "", "str", "the home page's tagline (under the company's name)"),
    _s("EMINENCE_INTRO", "", "str", "the home page's introduction"),
    _s("EMINENCE_HOME_LATEST", 6, "int", "posts on the home page", template=True),
    _s("EMINENCE_HOME_ENDORSEMENTS", 3, "int", "endorsements on the home page (Featured: yes first)",
       template=True),
    _s("EMINENCE_PREVIEW", False, "bool", "preview mode: drafts shown (what --drafts sets)", template=True),
    _s("EMINENCE_KIND_LABELS", {"article": "Article", "note": "Note", "video": "Video",
                                "episode": "Episode"}, "dict",
       "what a post of each kind is called on cards and pages", template=True),
    _s("EMINENCE_ENDORSEMENTS_PER_PAGE", 24, "int", "quotes per page on the endorsement wall"),
    _s("EMINENCE_SAME_AS", [], "list", "the company's own profiles (e.g. its LinkedIn page): the "
       "home page's Organization `sameAs`"),
    _s("EMINENCE_CARD_FONT", "", "str", "a font file for the social cards' text (\"\": Pillow's, Latin "
       "scripts only; name one that covers the showcase's scripts, e.g. Noto Sans CJK)"),
    _s("EMINENCE_FEED_CONTENT_WORDS", 1000, "int", "words of a post's content in a feed entry, at most"),
    _s("EMINENCE_FEEDS_BY_LANGUAGE", False, "bool", "also an Atom feed of the posts in each language "
       "(`feeds/languages/<tag>.atom.xml`) where the site's posts are in more than one", template=True),
    _s("EMINENCE_DEV_SITEURL", "http://127.0.0.1:8000", "str",
       "the absolute base of feeds and the sitemap when SITEURL is empty (development builds)"),
    _s("EMINENCE_EXTRA_METADATA", [], "list",
       "metadata field names your own plugins use, accepted besides the content model's", "both"),
    _s("EMINENCE_TRUST_EDITOR_HTML", False, "bool",
       "use editors' HTML as written instead of sanitizing it", "both"),
    _s("EMINENCE_TOPIC_QUIET_MONTHS", 12, "int",
       "health flags a topic with no endorsement in this many months", "both"),
    # -- how the build runs -----------------------------------------------------------
    _s("EMINENCE_INCREMENTAL", True, "bool", "rebuilds render only pages whose inputs changed"),
    _s("EMINENCE_READ_CACHE", True, "bool", "keep what the Markdown reader returned per file in cache/",
       "both"),
    _s("EMINENCE_WORKERS", None, "int-or-none",
       "processes that read Markdown and render pages (None: one per core; 1: serial)"),
    _s("EMINENCE_PARALLEL_MIN", 64, "int",
       "fewer files or pages than this are read or rendered in one process"),
    _s("EMINENCE_SEARCH", True, "bool", "build the Pagefind search index"),
    _s("EMINENCE_SEARCH_SHARD_PAGES", 2000, "int", "posts per search-index shard (bounds Pagefind's memory)"),
    _s("EMINENCE_SEARCH_MEMORY_MB", 900, "int",
       "shards are indexed two at a time only while the build's memory plus theirs fits this"),
    _s("EMINENCE_FATAL_WARNINGS", True, "bool",
       "a build Pelican warned about (broken content) exits 1"),
    _s("EMINENCE_PULL_ON_BUILD", False, "bool",
       "pull before every build (development only: publish the committed, reviewed Markdown)"),
    # -- the pull ---------------------------------------------------------------------
    # 64 came within 1.05x of the schedule bound in bench-pull --network (benchmarks/README.md).
    _s("EMINENCE_PULL_WORKERS", 64, "int", "concurrent exchanges, all hosts together", "pull"),
    _s("EMINENCE_PULL_PER_HOST", 2, "int", "concurrent exchanges with one host", "pull"),
    _s("EMINENCE_PULL_HOST_TIMEOUTS", 3, "int",
       "timeouts in a row after which a host's remaining feeds are deferred", "pull"),
    _s("EMINENCE_PULL_WINDOW", 1000, "int", "feeds fetched ahead of the one applied next (bounds memory)",
       "pull"),
    _s("EMINENCE_PULL_PROCESSES", 0, "int", "parser processes (0: one per core when pulling 16+ feeds)",
       "pull"),
    _s("EMINENCE_PULL_TIMEOUT", 10, "number", "seconds per request", "pull"),
    _s("EMINENCE_PULL_MAX_BYTES", 5 * 1024 * 1024, "int", "largest feed accepted, after decompression",
       "pull"),
    _s("EMINENCE_PULL_MAX_RETRY_WAIT", 5, "number", "longest Retry-After waited for within a pull", "pull"),
    _s("EMINENCE_PULL_MODE", "excerpt", "str", "\"excerpt\" (the first words, linking to the original) "
       "or \"full\"", "pull"),
    _s("EMINENCE_PULL_EXCERPT_WORDS", 80, "int", "excerpt length, in words", "pull"),
    _s("EMINENCE_PULL_NEW_EXPERT_LIMIT", 5, "int", "posts a newly added expert brings", "pull"),
    _s("EMINENCE_PULL_MAX_NEW_PER_FEED", 50, "int", "new posts one feed may bring in one pull", "pull"),
    _s("EMINENCE_PULL_ANY_TOPIC", False, "bool", "allow topics outside the expert's own", "pull"),
    _s("EMINENCE_PULL_REPLIES", False, "bool", "also pull statuses that only reply, and reposts", "pull"),
    _s("EMINENCE_ALLOW_LOCAL_FEEDS", False, "bool", "allow feed paths that are local files", "pull"),
    _s("EMINENCE_FEED_FILES", {}, "dict",
       "feed URL -> a file read instead of fetching it (the bundled example and tests only)", "pull"),
    _s("EMINENCE_PULL_ALLOW_ADDRESSES", [], "list",
       "non-public networks the fetcher may connect to (the environment variable adds to it)", "pull"),
    _s("EMINENCE_FEED_FAILING_DAYS", 7, "int", "flag feeds failing this long", "pull"),
    _s("EMINENCE_EXPERT_SILENT_MONTHS", 6, "int", "flag experts whose feeds show nothing newer", "pull"),
    _s("EMINENCE_BRAND_TERMS", [], "list",
       "product and company names an endorsement candidate must name", "pull"),
    _s("EMINENCE_INTERNAL_DOMAINS", [], "list",
       "the company's domains: authors and links there are not endorsers", "pull"),
    _s("EMINENCE_WATCH_MAX_NEW", 10, "int", "new candidates one watch feed may bring per pull", "pull"),
)

TABLE = {s.name: s for s in SETTINGS}

_CHECKS = {
    "int": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "bool": lambda v: isinstance(v, bool),
    "str": lambda v: isinstance(v, str),
    "list": lambda v: isinstance(v, list | tuple),
    "dict": lambda v: isinstance(v, dict),
    "int-or-none": lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}
_SAYS = {"int": "a whole number", "bool": "True or False", "str": "a string in quotes",
         "list": "a list such as [\"a\", \"b\"]", "dict": "a dict such as {\"key\": \"value\"}",
         "int-or-none": "a whole number, or None", "number": "a number of seconds, e.g. 2.5"}


def setting(settings, name: str):
    """The value a showcase set, or the table's default."""
    return settings.get(name, TABLE[name].default)


def problems(settings) -> list[str]:
    """Every EMINENCE_* setting that is not in the table (a typo) or has a value of the
    wrong type, each with its fix. Settings starting with "_" are the engine's own."""
    found = []
    for name in sorted(k for k in settings if k.startswith("EMINENCE_")):
        known = TABLE.get(name)
        if known is None:
            # Compared without the prefix every name shares, which would make all look alike.
            near = difflib.get_close_matches(name[9:], [n[9:] for n in TABLE], n=1, cutoff=0.75)
            fix = (f"did you mean EMINENCE_{near[0]}?" if near
                   else "remove it (docs/operating.md lists the settings).")
            found.append(f"{name} is not a setting of Eminence; {fix}")
        elif not _CHECKS[known.takes](settings[name]):
            found.append(f"{name} = {settings[name]!r}: it takes {_SAYS[known.takes]}, "
                         f"e.g. {name} = {known.default!r} (the default).")
    return found


class SettingsError(Refusal, ValueError):
    """pelicanconf.py sets an EMINENCE_* setting wrongly: every problem, each with its fix."""

    def __init__(self, found: list[str]):
        self.problems = found
        super().__init__("\n".join([f"{len(found)} problem(s) with the settings (pelicanconf.py):",
                                    *(f"  - {p}" for p in found)]))


def check(settings) -> None:
    """Raise SettingsError listing every problem `problems` finds."""
    found = problems(settings)
    if found:
        raise SettingsError(found)
