"""Production settings: `invoke publish-build` / `pelican -s publishconf.py`."""

import os
import sys

# Import pelicanconf from beside this file, whatever the working folder is.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F403

# CI sets SITEURL to where the site is served; otherwise the showcase's PUBLISHED_SITEURL.
SITEURL = (os.environ.get("SITEURL") or globals().get("PUBLISHED_SITEURL") or "").rstrip("/")
if not SITEURL:
    raise SystemExit("publishconf.py: no public URL. Fix: set PUBLISHED_SITEURL in pelicanconf.py "
                     "(e.g. https://experts.acme.com) or the SITEURL environment variable.")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
EMINENCE_PREVIEW = False
