"""Production settings: `invoke publish-build` / `pelican -s publishconf.py`."""

import os
import sys

# Import pelicanconf from beside this file, whatever the working folder is.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: E402,F403

# CI sets SITEURL to where the site is served; the default is the example's.
SITEURL = os.environ.get("SITEURL", "https://showcase.example.com").rstrip("/")
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True
EMINENCE_PREVIEW = False
