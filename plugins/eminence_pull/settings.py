"""What the pull derives from its settings (their defaults: eminence_model.settings)."""

from __future__ import annotations

import os

from eminence_model.settings import setting

# The settings that decide what an entry becomes (a post, a candidate, nothing) and how
# it is written: a feed's cached "nothing changed" (ETag, body hash) was true for the old
# values only, so a change to any of them makes the next pull read every feed again.
DECIDING = ("EMINENCE_PULL_MODE", "EMINENCE_PULL_EXCERPT_WORDS", "EMINENCE_PULL_ANY_TOPIC",
            "EMINENCE_PULL_REPLIES", "EMINENCE_BRAND_TERMS", "EMINENCE_INTERNAL_DOMAINS",
            "EMINENCE_WATCH_MAX_NEW")


def deciding_digest(settings: dict, people) -> str:
    """A digest of what decides what entries become: the DECIDING settings, the topics'
    titles and keywords (topic assignment) and the experts' aliases (candidates)."""
    import hashlib
    import json

    decides = {"settings": {key: setting(settings, key) for key in DECIDING},
               "topics": {slug: [v.get("title"), v.get("keywords", [])]
                          for slug, v in people.topics.items()},
               "aliases": {slug: v["aliases"] for slug, v in people.experts.items() if v.get("aliases")}}
    return hashlib.sha256(json.dumps(decides, sort_keys=True, default=str).encode()).hexdigest()


def new_fetcher(settings: dict, purpose: str, feeds: bool = True):
    """The Fetcher every network user builds from the settings (the pull, a feed check,
    the endorsement-source check): one place for its limits. `feeds`: local feed files
    (EMINENCE_ALLOW_LOCAL_FEEDS, EMINENCE_FEED_FILES) are allowed."""
    from .fetch import Fetcher
    from .netguard import AddressGuard, parse_networks

    root = os.path.dirname(os.path.normpath(settings["PATH"]))
    files = setting(settings, "EMINENCE_FEED_FILES") if feeds else {}
    allowed = [*setting(settings, "EMINENCE_PULL_ALLOW_ADDRESSES"),
               *os.environ.get("EMINENCE_PULL_ALLOW_ADDRESSES", "").split(",")]
    return Fetcher(
        user_agent=f"Eminence/0.1 (+{settings.get('SITEURL') or 'local build'}; {purpose})",
        timeout=setting(settings, "EMINENCE_PULL_TIMEOUT"),
        max_bytes=setting(settings, "EMINENCE_PULL_MAX_BYTES"),
        max_retry_wait=setting(settings, "EMINENCE_PULL_MAX_RETRY_WAIT"),
        concurrency=setting(settings, "EMINENCE_PULL_WORKERS"),
        per_host=setting(settings, "EMINENCE_PULL_PER_HOST"),
        host_timeouts=setting(settings, "EMINENCE_PULL_HOST_TIMEOUTS"),
        local_root=root if feeds and setting(settings, "EMINENCE_ALLOW_LOCAL_FEEDS") else None,
        files={url: os.path.join(root, path) for url, path in files.items()},
        guard=AddressGuard(parse_networks(allowed)),
    )


def pull_cache_dir(settings: dict) -> str:
    """The pull's own cache (fetched bodies for --offline, feed observations): never
    committed; CI keeps it between scheduled pulls."""
    return os.path.join(settings.get("CACHE_PATH", "cache"), "pull")
