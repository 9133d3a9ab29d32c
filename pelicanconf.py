"""Pelican settings for the Eminence showcase (development and preview builds).

`publishconf.py` imports these and overrides what production needs.
"""

# --- The company -----------------------------------------------------------
SITENAME = "Kestrel Works"
AUTHOR = "Kestrel Works"
SITEURL = ""
EMINENCE_TAGLINE = "Engineering that keeps critical infrastructure calm."
EMINENCE_INTRO = (
    "Kestrel Works builds software for the operators of power grids, water networks "
    "and transit systems. These are the people who build it, in their own words, "
    "and what others say about their work."
)
TIMEZONE = "Europe/Amsterdam"
DEFAULT_LANG = "en"

# --- Where things are ------------------------------------------------------
PATH = "content"
THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["eminence_showcase"]

# Posts are Pelican articles; topics, experts and endorsements are read by the
# eminence_showcase plugin (the build stage; see README "Layout"), so Pelican's own
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

# --- Eminence --------------------------------------------------------------
# Preview mode shows drafts and pending endorsements with a DRAFT banner.
# Never enable it for a published build.
EMINENCE_PREVIEW = False
EMINENCE_HOME_LATEST = 6
EMINENCE_HOME_ENDORSEMENTS = 3

# The example's experts and topics list real-looking https feeds, and this maps each
# to its bundled file in example-feeds/, so the example pulls offline. For the example
# and tests only: a real showcase deletes this setting (its default is empty).
EMINENCE_FEED_FILES = {
    "https://social.example.net/@amara.rss": "example-feeds/amara-nwosu.xml",
    "https://talks.example.org/speakers/lena-fischer/videos.atom": "example-feeds/lena-fischer.xml",
    "https://gridside.example.com/feed.mp3.rss": "example-feeds/oskar-berg.xml",
    "https://daniel.example.com/feed.xml": "example-feeds/daniel-osei.xml",
    "https://ines.example.com/feed.xml": "example-feeds/ines-okafor.xml",
    "https://june.example.com/feed.xml": "example-feeds/june-achterberg.xml",
    "https://malik.example.com/feed.xml": "example-feeds/malik-hassan.xml",
    "https://priya.example.com/feed.xml": "example-feeds/priya-raman.xml",
    "https://rafael.example.com/feed.xml": "example-feeds/rafael-mendes.xml",
    "https://sofia.example.com/feed.xml": "example-feeds/sofia-kowalczyk.xml",
    "https://tomas.example.com/feed.xml": "example-feeds/tomas-lindqvist.xml",
    "https://mentions.example.net/kestrel-grid.atom": "example-feeds/watch/grid-mentions.xml",
    "https://search.example.net/rss?q=kestrel": "example-feeds/watch/platform-search.xml",
    "https://lists.example.org/ot-security/kestrel.atom": "example-feeds/watch/security-comments.xml",
}

# Endorsement candidates: a topic's Watch feeds are pulled too, and an entry
# becomes a draft endorsement when its prose names one of these terms and its
# author is not one of us (an expert, or someone on an internal domain).
EMINENCE_BRAND_TERMS = ["Kestrel Works", "Kestrel Edge", "Kestrel Forecast"]
EMINENCE_INTERNAL_DOMAINS = ["kestrelworks.example.com", "showcase.example.com"]
