"""The pull's settings and their defaults (a showcase sets any of them in pelicanconf.py)."""

from __future__ import annotations

DEFAULTS = {
    "EMINENCE_PULL_WORKERS": 16,  # concurrent fetches
    "EMINENCE_PULL_PROCESSES": 0,  # parser processes; 0 = one per core when there are many feeds
    "EMINENCE_PULL_TIMEOUT": 10,  # seconds per request
    "EMINENCE_PULL_MAX_BYTES": 5 * 1024 * 1024,
    "EMINENCE_PULL_MAX_RETRY_WAIT": 5,  # wait this long at most for a Retry-After, then skip
    "EMINENCE_PULL_MODE": "excerpt",  # or "full"
    "EMINENCE_PULL_EXCERPT_WORDS": 80,
    "EMINENCE_PULL_NEW_EXPERT_LIMIT": 5,  # posts a newly added expert brings
    "EMINENCE_PULL_ANY_TOPIC": False,  # True: assign any topic, not only the expert's
    "EMINENCE_ALLOW_LOCAL_FEEDS": False,
    # Feed URL -> a file (relative to the project) read instead of fetching the URL: how
    # the bundled example and tests pull "real" https feeds offline. Never for a showcase.
    "EMINENCE_FEED_FILES": {},
    "EMINENCE_FEED_FAILING_DAYS": 7,
    "EMINENCE_EXPERT_SILENT_MONTHS": 6,
    "EMINENCE_PULL_ON_BUILD": False,
    # Endorsement candidates from topics' Watch feeds (candidates.py).
    "EMINENCE_BRAND_TERMS": [],  # product and company names a mention must contain
    "EMINENCE_INTERNAL_DOMAINS": [],  # authors/links on these domains are us, not endorsers
    "EMINENCE_WATCH_MAX_NEW": 10,  # new candidates per watch feed per pull
}


def setting(settings: dict, key: str):
    return settings.get(key, DEFAULTS[key])


def new_fetcher(settings: dict, purpose: str, feeds: bool = True):
    """The Fetcher every network user builds from the settings (the pull, a feed check,
    the endorsement-source check): one place for its limits. `feeds`: local feed files
    (EMINENCE_ALLOW_LOCAL_FEEDS, EMINENCE_FEED_FILES) are allowed."""
    import os

    from .fetch import Fetcher

    root = os.path.dirname(os.path.normpath(settings["PATH"]))
    files = setting(settings, "EMINENCE_FEED_FILES") if feeds else {}
    return Fetcher(
        user_agent=f"Eminence/0.1 (+{settings.get('SITEURL') or 'local build'}; {purpose})",
        timeout=setting(settings, "EMINENCE_PULL_TIMEOUT"),
        max_bytes=setting(settings, "EMINENCE_PULL_MAX_BYTES"),
        max_retry_wait=setting(settings, "EMINENCE_PULL_MAX_RETRY_WAIT"),
        concurrency=setting(settings, "EMINENCE_PULL_WORKERS"),
        local_root=root if feeds and setting(settings, "EMINENCE_ALLOW_LOCAL_FEEDS") else None,
        files={url: os.path.join(root, path) for url, path in files.items()},
    )


def pull_cache_dir(settings: dict) -> str:
    """The pull's own cache (fetched bodies for --offline, feed observations): never
    committed; CI keeps it between scheduled pulls."""
    import os

    return os.path.join(settings.get("CACHE_PATH", "cache"), "pull")
