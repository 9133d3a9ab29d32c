"""Production settings: `invoke publish-build` / `pelican -s publishconf.py`."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

# CI sets SITEURL to where the site is served; the default is the example's.
SITEURL = os.environ.get("SITEURL", "https://showcase.example.com").rstrip("/")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
EMINENCE_PREVIEW = False
