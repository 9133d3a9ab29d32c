"""The engine's Pelican settings: how every showcase is built, whichever company it shows.

A showcase's `pelicanconf.py` starts with `from eminence_model.engine_settings import *`
and then sets only what is its own (its name, tagline, timezone, brand terms, where its
content is). Keeping the two apart is what lets a showcase take in a later Eminence:
this file changes with the engine, the showcase's settings never have to (README
"Your own showcase"). Paths here are absolute, so a settings file anywhere (the
project's, the bundled example's, a test's) builds with the same theme and plugins.
"""

import os
import runpy

ENGINE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The bundled example showcase (engine-owned: the tests and `invoke example` build it).
EXAMPLE = os.path.join(ENGINE, "examples", "kestrel-works")

SITEURL = ""
DEFAULT_LANG = "en"
TIMEZONE = "UTC"

THEME = os.path.join(ENGINE, "theme")
PLUGIN_PATHS = [os.path.join(ENGINE, "plugins")]
PLUGINS = ["eminence_showcase"]

# Posts are Pelican articles; topics, experts and endorsements are read by the
# eminence_showcase plugin (the build stage; see docs/internals.md), so Pelican's own
# generators must not pick them up.
ARTICLE_PATHS = ["posts"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]

# No translations: two experts' posts may share a slug (their URLs differ), which
# Pelican's translation matching would otherwise report as duplicates.
ARTICLE_TRANSLATION_ID = None
PAGE_TRANSLATION_ID = None

# A post's slug is its file name, so a title edit never moves its URL.
SLUGIFY_SOURCE = "basename"
ARTICLE_URL = "posts/{expert}/{slug}/"
ARTICLE_SAVE_AS = "posts/{expert}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"

# Eminence writes its own home, topic, expert and endorsement pages; Pelican's
# blog-style category/tag/author/archive pages would only duplicate them.
DIRECT_TEMPLATES = []
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
# Pelican expects every article to have a category; Eminence uses Topics instead.
USE_FOLDER_AS_CATEGORY = False
DEFAULT_METADATA = {"category": "posts"}
DEFAULT_DATE_FORMAT = "%-d %B %Y"

DEFAULT_PAGINATION = 12
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Eminence writes its own per-topic and per-expert Atom feeds (eminence_showcase/feeds.py);
# Pelican's own feeds are off.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

# Relative URLs let the development build be served from any folder.
RELATIVE_URLS = True
DELETE_OUTPUT_DIRECTORY = True

# Preview mode shows drafts and pending endorsements with a DRAFT banner.
# Never enable it for a published build.
EMINENCE_PREVIEW = False
EMINENCE_HOME_LATEST = 6
EMINENCE_HOME_ENDORSEMENTS = 3


def settings_of(path: str) -> dict:
    """The settings (UPPERCASE names) a settings file defines, for a settings file that
    shows another one's showcase: the project's own pelicanconf.py shows the example
    this way until `invoke init` gives it a company of its own."""
    return {k: v for k, v in runpy.run_path(path).items() if k.isupper()}
