"""eminence_feeds: pull experts' feeds into post Markdown files (see pull.py).

As a Pelican plugin it does two things at build time: it sanitizes the HTML of
every pulled post again (defence in depth: whatever the Markdown renders, only the
allowlist reaches the page), and, if EMINENCE_PULL_ON_BUILD is set, it pulls
before the build (off by default: published builds use only committed Markdown).
"""

from __future__ import annotations

import logging

from pelican import signals

from .policy import clean
from .pull import run_pull

logger = logging.getLogger(__name__)


def sanitize_pulled(content) -> None:
    # Only pulled posts carry Feed:; an editor's own posts are trusted as written.
    if "feed" in getattr(content, "metadata", {}) and getattr(content, "_content", None):
        content._content = clean(content._content)


def pull_before_build(pelican) -> None:
    if not pelican.settings.get("EMINENCE_PULL_ON_BUILD"):
        return
    summary = run_pull(pelican.settings)
    for line in summary.lines():
        logger.info(line)


def register():
    signals.content_object_init.connect(sanitize_pulled)
    signals.initialized.connect(pull_before_build)
