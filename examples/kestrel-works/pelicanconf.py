"""The bundled example showcase: Kestrel Works, a fictional company (all people,
organisations and `example.*` sites are invented).

The engine's own showcase: the test suite builds it, `invoke example` builds and serves
it, and the project's `pelicanconf.py` shows it until `invoke init` makes the project
a company's own. Build it directly with `invoke build --settings examples/kestrel-works/pelicanconf.py`.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "plugins"))
from eminence_model.engine_settings import *  # noqa: E402,F403 - the engine's settings

# --- The company -----------------------------------------------------------
SITENAME = "Kestrel Works"
AUTHOR = "Kestrel Works"
EMINENCE_TAGLINE = "Engineering that keeps critical infrastructure calm."
EMINENCE_INTRO = (
    "Kestrel Works builds software for the operators of power grids, water networks "
    "and transit systems. These are the people who build it, in their own words, "
    "and what others say about their work."
)
TIMEZONE = "Europe/Amsterdam"
# Where the published showcase lives; CI's SITEURL (e.g. the GitHub Pages address) wins.
PUBLISHED_SITEURL = "https://showcase.example.com"

PATH = os.path.join(HERE, "content")

# The example's experts and topics list real-looking https feeds, and this maps each
# to its bundled file in feeds/, so the example pulls offline (its content may be copied
# elsewhere, as the tests do: the paths are absolute). A real showcase has none.
EMINENCE_FEED_FILES = {url: os.path.join(HERE, "feeds", name) for url, name in {
    "https://social.example.net/@amara.rss": "amara-nwosu.xml",
    "https://talks.example.org/speakers/lena-fischer/videos.atom": "lena-fischer.xml",
    "https://gridside.example.com/feed.mp3.rss": "oskar-berg.xml",
    "https://daniel.example.com/feed.xml": "daniel-osei.xml",
    "https://ines.example.com/feed.xml": "ines-okafor.xml",
    "https://june.example.com/feed.xml": "june-achterberg.xml",
    "https://malik.example.com/feed.xml": "malik-hassan.xml",
    "https://priya.example.com/feed.xml": "priya-raman.xml",
    "https://rafael.example.com/feed.xml": "rafael-mendes.xml",
    "https://sofia.example.com/feed.xml": "sofia-kowalczyk.xml",
    "https://tomas.example.com/feed.xml": "tomas-lindqvist.xml",
    "https://mentions.example.net/kestrel-grid.atom": "watch/grid-mentions.xml",
    "https://search.example.net/rss?q=kestrel": "watch/platform-search.xml",
    "https://lists.example.org/ot-security/kestrel.atom": "watch/security-comments.xml",
}.items()}

# Endorsement candidates: a topic's Watch feeds are pulled too, and an entry
# becomes a draft endorsement when its prose names one of these terms and its
# author is not one of us (an expert, or someone on an internal domain).
EMINENCE_BRAND_TERMS = ["Kestrel Works", "Kestrel Edge", "Kestrel Forecast"]
EMINENCE_INTERNAL_DOMAINS = ["kestrelworks.example.com", "showcase.example.com"]
