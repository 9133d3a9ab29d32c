"""The pull's settings and their defaults (a showcase sets any of them in pelicanconf.py)."""

from __future__ import annotations

import os

DEFAULTS = {
    # Concurrent fetches, all hosts together: threads mostly wait on sockets. 64 came within
    # 1.05x of the schedule bound in bench-pull --network (16: 1.20x), see benchmarks/README.md.
    "EMINENCE_PULL_WORKERS": 64,
    "EMINENCE_PULL_PER_HOST": 2,  # concurrent fetches to one host (hosts.py)
    "EMINENCE_PULL_HOST_TIMEOUTS": 3,  # timeouts in a row before a host's other feeds wait
    "EMINENCE_PULL_WINDOW": 1000,  # feeds fetched ahead of the one applied next (memory bound)
    "EMINENCE_PULL_PROCESSES": 0,  # parser processes; 0 = one per core when there are many feeds
    "EMINENCE_PULL_TIMEOUT": 10,  # seconds per request
    "EMINENCE_PULL_MAX_BYTES": 5 * 1024 * 1024,
    "EMINENCE_PULL_MAX_RETRY_WAIT": 5,  # wait this long at most for a Retry-After, then skip
    "EMINENCE_PULL_MODE": "excerpt",  # or "full"
    "EMINENCE_PULL_EXCERPT_WORDS": 80,
    "EMINENCE_PULL_NEW_EXPERT_LIMIT": 5,  # posts a newly added expert brings
    "EMINENCE_PULL_MAX_NEW_PER_FEED": 50,  # new posts one feed may bring per pull
    "EMINENCE_PULL_ANY_TOPIC": False,  # True: assign any topic, not only the expert's
    "EMINENCE_PULL_REPLIES": False,  # True: also pull statuses that only reply, and reposts
    "EMINENCE_ALLOW_LOCAL_FEEDS": False,
    # Feed URL -> a file (relative to the project) read instead of fetching the URL: how
    # the bundled example and tests pull "real" https feeds offline. Never for a showcase.
    "EMINENCE_FEED_FILES": {},
    # Networks the fetcher may connect to although they are not public (netguard.py),
    # e.g. ["10.20.0.0/16"] for an intranet blog host. The environment variable of the
    # same name (comma-separated) adds to it: the test suite opens 127.0.0.0/8 that way.
    "EMINENCE_PULL_ALLOW_ADDRESSES": [],
    "EMINENCE_FEED_FAILING_DAYS": 7,
    "EMINENCE_EXPERT_SILENT_MONTHS": 6,
    "EMINENCE_PULL_ON_BUILD": False,
    # Endorsement candidates from topics' Watch feeds (candidates.py).
    "EMINENCE_BRAND_TERMS": [],  # product and company names a mention must contain
    "EMINENCE_INTERNAL_DOMAINS": [],  # authors/links on these domains are us, not endorsers
    "EMINENCE_WATCH_MAX_NEW": 10,  # new candidates per watch feed per pull
}


# The settings that decide what an entry becomes (a post, a candidate, nothing) and how
# it is written: a feed's cached "nothing changed" (ETag, body hash) was true for the old
# values only, so a change to any of them makes the next pull read every feed again.
DECIDING = ("EMINENCE_PULL_MODE", "EMINENCE_PULL_EXCERPT_WORDS", "EMINENCE_PULL_ANY_TOPIC",
            "EMINENCE_PULL_REPLIES", "EMINENCE_BRAND_TERMS", "EMINENCE_INTERNAL_DOMAINS",
            "EMINENCE_WATCH_MAX_NEW")


def setting(settings: dict, key: str):
    return settings.get(key, DEFAULTS[key])


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
